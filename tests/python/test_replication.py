"""getUpdated and getDeleted through Salesforce's own partner WSDL: windows after creating,
updating, deleting and undeleting records; the refusal for objects whose catalog calls lack them;
Salesforce's date rules (INVALID_REPLICATION_DATE).

The server answers whole minutes only and never the current, still open minute, so the module
fixture writes its records in two phases, each followed by a wait for the server's clock to pass
the next minute (about a minute per phase).

Parametrized over the catalog; the record-level checks use the first object that supports
create, update, delete, undelete, getUpdated and getDeleted.
"""
import datetime
import time

import pytest
import zeep

from conftest import CATALOG, body_result, object_id

MINUTE = datetime.timedelta(minutes=1)
UTC = datetime.timezone.utc


def _full_cycle():
    for o in CATALOG.objects:
        if all(o.supports(c) for c in ("create", "update", "delete", "undelete", "getUpdated",
                                       "getDeleted")) and not o.scarce:
            return o
    return None


CYCLE = _full_cycle()


def minute(t):
    return t.replace(second=0, microsecond=0)


def server_now(api):
    return api.get_server_timestamp().timestamp.astimezone(UTC)


def wait_next_minute(api):
    """Sleeps until the server's clock is past the minute it is in now; returns that new minute
    (every write made before the call lies before it)."""
    start = minute(server_now(api))
    while True:
        now = server_now(api)
        if minute(now) > start:
            return minute(now)
        time.sleep(min(61 - now.second, 5) or 1)


def get_updated(api, name, start, end):
    return body_result(api.service.getUpdated(name, start, end, _soapheaders=api.headers()))


def get_deleted(api, name, start, end):
    return body_result(api.service.getDeleted(name, start, end, _soapheaders=api.headers()))


def fault_of(call, *args):
    with pytest.raises(zeep.exceptions.Fault) as exc:
        call(*args)
    return exc.value


@pytest.fixture(scope="module")
def history(api, factory):
    """Records written in two phases: phase 1 in [m0, m1), phase 2 in [m1, m2)."""
    if CYCLE is None:
        pytest.skip("no catalog object supports the whole create/update/delete cycle")
    name = CYCLE.name
    m0 = minute(server_now(api))
    h = {"m0": m0, "early": factory.create(name)}
    h["m1"] = wait_next_minute(api)
    h["created"] = factory.create(name)
    h["updated"] = factory.create(name)
    field = next(f for f in CYCLE.fields if f.updateable and not f.system and not f.unique
                 and factory.can_make_value(f))
    [r] = api.update([{"type": name, "Id": h["updated"], field.name: factory.value(field, 1)}])
    assert r.success, r
    h["deleted"] = factory.create(name)
    assert api.delete([h["deleted"]])[0].success
    h["undeleted"] = factory.create(name)
    assert api.delete([h["undeleted"]])[0].success
    assert api.undelete([h["undeleted"]])[0].success
    h["m2"] = wait_next_minute(api)
    return h


def test_get_updated_window(api, history):
    h = history
    r = get_updated(api, CYCLE.name, h["m1"], h["m2"])
    ids = set(r.ids or [])
    assert {h["created"], h["updated"], h["undeleted"]} <= ids
    assert h["deleted"] not in ids  # in the recycle bin: getDeleted's, not getUpdated's
    assert h["early"] not in ids    # written before the window
    assert r.latestDateCovered.astimezone(UTC) == h["m2"]
    early = set(get_updated(api, CYCLE.name, h["m0"], h["m1"]).ids or [])
    assert h["early"] in early
    assert not early & {h["created"], h["updated"], h["deleted"], h["undeleted"]}


def test_get_deleted_window(api, history):
    h = history
    r = get_deleted(api, CYCLE.name, h["m1"], h["m2"])
    deleted = {d.id: d.deletedDate.astimezone(UTC) for d in (r.deletedRecords or [])}
    assert h["deleted"] in deleted
    assert h["m1"] <= deleted[h["deleted"]] < h["m2"]
    assert not {h["created"], h["updated"], h["undeleted"], h["early"]} & set(deleted)
    assert r.latestDateCovered.astimezone(UTC) == h["m2"]
    assert r.earliestDateAvailable.astimezone(UTC) <= h["m0"]
    # Other suites may share the server: only this module's records are asserted on.
    before = get_deleted(api, CYCLE.name, h["m0"], h["m1"]).deletedRecords or []
    assert not {d.id for d in before} & {h[k] for k in ("early", "created", "updated",
                                                       "deleted", "undeleted")}


def test_seconds_are_ignored(api, history):
    h = history
    plain = get_updated(api, CYCLE.name, h["m1"], h["m2"])
    r = get_updated(api, CYCLE.name, h["m1"] + datetime.timedelta(seconds=40),
                    h["m2"] + datetime.timedelta(seconds=59))
    assert sorted(r.ids or []) == sorted(plain.ids or [])
    assert r.latestDateCovered.astimezone(UTC) == h["m2"]


def test_future_end_is_clamped_to_the_current_minute(api, history):
    before = minute(server_now(api))
    r = get_updated(api, CYCLE.name, history["m1"], before + datetime.timedelta(hours=2))
    covered = r.latestDateCovered.astimezone(UTC)
    assert before <= covered <= minute(server_now(api))
    assert covered.second == 0


def test_enterprise_endpoint(history, enterprise):
    svc, headers, _ = enterprise
    h = history
    r = body_result(svc.getUpdated(CYCLE.name, h["m1"], h["m2"], _soapheaders=headers))
    assert h["created"] in set(r.ids or [])
    d = body_result(svc.getDeleted(CYCLE.name, h["m1"], h["m2"], _soapheaders=headers))
    assert h["deleted"] in {x.id for x in (d.deletedRecords or [])}


# ---------------------------------------------------------------------------------------------
# Which objects replicate
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("obj", CATALOG.objects, ids=object_id)
@pytest.mark.parametrize("call", ["getUpdated", "getDeleted"])
def test_replication_follows_the_catalog(api, history, obj, call):
    start, end = history["m0"], history["m2"]
    fn = get_updated if call == "getUpdated" else get_deleted
    if obj.supports(call):
        r = fn(api, obj.name, start, end)
        assert r.latestDateCovered.astimezone(UTC) == end
        return
    f = fault_of(fn, api, obj.name, start, end)
    assert f.code == "sf:INVALID_TYPE_FOR_OPERATION"
    assert f.message == ("INVALID_TYPE_FOR_OPERATION: entity type %s does not support %s"
                         % (obj.name, call))


@pytest.mark.parametrize("call", ["getUpdated", "getDeleted"])
def test_unknown_type(api, history, call):
    fn = get_updated if call == "getUpdated" else get_deleted
    f = fault_of(fn, api, "Nope__c", history["m0"], history["m2"])
    assert f.code == "sf:INVALID_TYPE"
    assert f.message == "INVALID_TYPE: sObject type 'Nope__c' is not supported."


# ---------------------------------------------------------------------------------------------
# INVALID_REPLICATION_DATE
# ---------------------------------------------------------------------------------------------

RANGE_MSG = ("INVALID_REPLICATION_DATE: startDate must be at least one minute greater than "
             "endDate")


@pytest.mark.parametrize("call", ["getUpdated", "getDeleted"])
def test_range_must_span_a_minute(api, history, call):
    fn = get_updated if call == "getUpdated" else get_deleted
    m = history["m1"]
    for start, end in ((m, m), (history["m2"], m),
                       (m + datetime.timedelta(seconds=5), m + datetime.timedelta(seconds=55))):
        f = fault_of(fn, api, CYCLE.name, start, end)
        assert f.code == "sf:INVALID_REPLICATION_DATE"
        assert f.message == RANGE_MSG


@pytest.mark.parametrize("call,days", [("getUpdated", 30), ("getDeleted", 15)])
def test_start_too_far_back(api, history, call, days):
    fn = get_updated if call == "getUpdated" else get_deleted
    now = server_now(api)
    f = fault_of(fn, api, CYCLE.name, now - datetime.timedelta(days=days, minutes=2), now)
    assert f.code == "sf:INVALID_REPLICATION_DATE"
    # A young org (this test server's) trips its creation date before the day limit.
    assert f.message in ("INVALID_REPLICATION_DATE: startDate cannot be more than %d days ago"
                         % days,
                         "INVALID_REPLICATION_DATE: startDate before org replication enabled "
                         "date")


def test_replication_needs_a_session(api, history):
    with pytest.raises(zeep.exceptions.Fault) as exc:
        api.service.getUpdated(CYCLE.name, history["m0"], history["m2"],
                               _soapheaders=api.headers(session_id="bogus"))
    assert exc.value.code == "sf:INVALID_SESSION_ID"
