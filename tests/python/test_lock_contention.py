"""Lock contention as Salesforce answers it, through Salesforce's partner WSDL: two update calls
that lock the same two Cases in opposite order deadlock in PostgreSQL; the call that loses
answers UNABLE_TO_LOCK_ROW "unable to obtain exclusive access to this record" for the record it
could not lock (a SaveResult error), its other records are saved, the winner saves everything,
and the server goes on (CATALOG-DECISIONS P1)."""
import threading

import zeep

from conftest import (PartnerApi, SF_PARTNER_WSDL, assert_error, assert_ok, partner_login,
                      unique_text)

LOCK_TEXT = "unable to obtain exclusive access to this record"
FILL = 40  # records between the two contended ones: the window in which the calls overlap


def own_client():
    """A client of its own per thread (zeep's transport is not shared across threads here)."""
    client = zeep.Client(SF_PARTNER_WSDL)
    return PartnerApi(client, partner_login(client))


def subjects(api, ids):
    return [r["Subject"] for r in api.retrieve(["Subject"], "Case", ids)]


def test_a_deadlocked_update_answers_unable_to_lock_row(api):
    first, second = own_client(), own_client()
    deadlocks = 0
    for attempt in range(5):
        a, b = (api.create_ok({"type": "Case", "Subject": "start"}) for _ in range(2))
        fill = [[api.create_ok({"type": "Case", "Subject": unique_text(10)})
                 for _ in range(FILL)] for _ in range(2)]
        # First: a, its fillers, b. Second: b, its fillers, a. Run at once, each holds its first
        # Case while it writes its fillers, then asks for the other's.
        orders = ([a] + fill[0] + [b], [b] + fill[1] + [a])
        out = [None, None]
        start = threading.Barrier(2)

        def run(i, client):
            start.wait()
            out[i] = client.update([{"type": "Case", "Id": rid, "Subject": "call %d" % i}
                                    for rid in orders[i]])

        threads = [threading.Thread(target=run, args=(i, c))
                   for i, c in enumerate((first, second))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert out[0] is not None and out[1] is not None
        failed = [(i, j) for i in (0, 1) for j, r in enumerate(out[i]) if not r.success]
        for i, j in failed:
            assert_error(out[i][j], "UNABLE_TO_LOCK_ROW", LOCK_TEXT, fields=[])
        if not failed:
            continue  # the calls did not overlap this time: nothing to see
        deadlocks += 1
        # One call lost one record, its last (the contended row it asked for second).
        assert len(failed) == 1, failed
        loser, index = failed[0]
        assert index == FILL + 1
        winner = 1 - loser
        for r in out[winner]:
            assert_ok(r)
        # The contended two hold the winner's values (it wrote both, the loser's first one after
        # the loser committed); every filler its own call's.
        assert subjects(api, [a, b]) == ["call %d" % winner] * 2
        assert subjects(api, orders[loser][1:-1]) == ["call %d" % loser] * FILL
        assert subjects(api, orders[winner][1:-1]) == ["call %d" % winner] * FILL
        break
    assert deadlocks == 1, "the two calls never overlapped in 5 attempts"
    # The server goes on: both sessions still write.
    for client in (first, second):
        assert_ok(client.update([{"type": "Case", "Id": a, "Subject": "after"}])[0])
    assert subjects(api, [a]) == ["after"]
