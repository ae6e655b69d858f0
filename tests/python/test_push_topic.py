"""PushTopic (the Streaming API's topic) through Salesforce's partner WSDL: its calls, its
defaults, Name uniqueness, and the Query check a real org makes on create and update, with the
Streaming API Developer Guide's codes and messages ("Unsupported PushTopic Queries"). The guide's
own Step 2 PushTopic (Omni-Channel Developer Guide, external routing) is accepted as written."""
import pytest

from conftest import CATALOG, assert_error, assert_ok, body_result, unique_text
from test_routing_intake import query

# Omni-Channel Developer Guide v44, "Step 2: Create a PushTopic for PendingServiceRouting".
GUIDE_QUERY = ("Select Id, Serial, QueueId, WorkItemId, IsPushed, ServiceChannelId, "
               "LastDeclinedAgentSession, CreatedDate from PendingServiceRouting where "
               "RoutingModel = 'ExternalRouting'")

FIELDS = ["Id", "Name", "Query", "ApiVersion", "IsActive", "Description", "NotifyForFields",
          "NotifyForOperations", "NotifyForOperationCreate", "NotifyForOperationUpdate",
          "NotifyForOperationDelete", "NotifyForOperationUndelete", "IsDeleted"]


def topic_name():
    return unique_text(20, "PT")


def topic(**fields):
    return dict({"type": "PushTopic", "Name": topic_name(), "Query": "SELECT Id, Subject FROM Case",
                 "ApiVersion": "44.0"}, **fields)


def read(api, rid):
    [row] = api.retrieve(FIELDS, "PushTopic", [rid])
    return row


def test_the_guides_step_2_topic_is_accepted_as_written(api):
    rid = api.create_ok({"type": "PushTopic", "Name": topic_name(), "Query": GUIDE_QUERY,
                         "ApiVersion": "39.0", "NotifyForOperationCreate": "true",
                         "NotifyForOperationUpdate": "true", "NotifyForOperationUndelete": "false",
                         "NotifyForOperationDelete": "true", "NotifyForFields": "Referenced"})
    assert rid.startswith("0IF")
    row = read(api, rid)
    assert row["Query"] == GUIDE_QUERY
    assert float(row["ApiVersion"]) == 39.0
    assert row["NotifyForOperationUndelete"] == "false"
    assert row["NotifyForOperationDelete"] == "true"
    assert row["NotifyForFields"] == "Referenced"


def test_defaults(api):
    rid = api.create_ok(topic())
    row = read(api, rid)
    assert row["IsActive"] == "true"
    assert row["NotifyForFields"] == "Referenced"
    for kind in ("Create", "Update", "Delete", "Undelete"):
        assert row["NotifyForOperation" + kind] == "true"
    assert row["NotifyForOperations"] == "All"
    assert row["Description"] is None


def test_notify_for_operations_follows_create_and_update(api):
    rid = api.create_ok(topic(NotifyForOperationUpdate="false"))
    assert read(api, rid)["NotifyForOperations"] == "Create"
    assert_ok(api.update([{"type": "PushTopic", "Id": rid, "NotifyForOperationCreate": "false",
                           "NotifyForOperationUpdate": "true"}])[0])
    assert read(api, rid)["NotifyForOperations"] == "Update"
    assert_ok(api.update([{"type": "PushTopic", "Id": rid,
                           "NotifyForOperationUpdate": "false"}])[0])
    assert read(api, rid)["NotifyForOperations"] == "Extended"
    # Read-only from API 29.0, as the object reference says.
    [r] = api.update([{"type": "PushTopic", "Id": rid, "NotifyForOperations": "All"}])
    assert_error(r, "INVALID_FIELD_FOR_INSERT_UPDATE", fields=["NotifyForOperations"])


def test_create_update_query_retrieve_delete(api):
    name = topic_name()
    rid = api.create_ok(topic(Name=name, Description="Cases for the router"))
    rows = query(api, "SELECT Id, Name, Description FROM PushTopic WHERE Name = '%s'" % name)
    assert [(r["Id"][:15], r["Name"], r["Description"]) for r in rows] == [
        (rid[:15], name, "Cases for the router")]
    new_query = "SELECT Id, Subject, Status FROM Case WHERE Status != 'Closed'"
    assert_ok(api.update([{"type": "PushTopic", "Id": rid, "Query": new_query,
                           "IsActive": "false", "NotifyForFields": "All"}])[0])
    row = read(api, rid)
    assert (row["Query"], row["IsActive"], row["NotifyForFields"]) == (new_query, "false", "All")
    [r] = api.delete([rid])
    assert_ok(r)
    assert query(api, "SELECT Id FROM PushTopic WHERE Name = '%s'" % name) == []


def test_upsert_by_id(api):
    rid = api.create_ok(topic())
    [r] = api.upsert("Id", [{"type": "PushTopic", "Id": rid, "Description": "upserted"}])
    assert_ok(r)
    assert read(api, rid)["Description"] == "upserted"


def test_describe_lists_the_real_fields(api):
    [d] = body_result(api.service.describeSObjects(["PushTopic"], _soapheaders=api.headers()))
    fields = {f.name: f for f in d.fields}
    assert d.keyPrefix == "0IF"
    assert fields["Name"].length == 25 and fields["Name"].unique
    assert fields["Query"].length == 1300
    assert fields["Description"].length == 400
    assert fields["ApiVersion"].type == "double"
    assert [v.value for v in fields["NotifyForFields"].picklistValues] == [
        "All", "Referenced", "Select", "Where"]
    assert fields["NotifyForFields"].restrictedPicklist
    assert not fields["NotifyForOperations"].createable
    assert set(fields) == {f.name for f in CATALOG["PushTopic"].fields}


def test_name_is_unique(api):
    name = topic_name()
    first = api.create_ok(topic(Name=name))
    [r] = api.create([topic(Name=name)])
    e = assert_error(r, "DUPLICATE_VALUE", fields=["Name"])
    assert e.message == "duplicate value found: Name duplicates value on record with id: " + first
    other = api.create_ok(topic())
    [r] = api.update([{"type": "PushTopic", "Id": other, "Name": name}])
    assert_error(r, "DUPLICATE_VALUE", fields=["Name"])


def test_name_longer_than_25_is_refused(api):
    [r] = api.create([topic(Name="N" * 26)])
    assert_error(r, "STRING_TOO_LONG", fields=["Name"])


@pytest.mark.parametrize("version", ["20.0", "19", "0"])
def test_api_version_must_be_greater_than_20(api, version):
    [r] = api.create([topic(ApiVersion=version)])
    assert_error(r, "FIELD_INTEGRITY_EXCEPTION", fields=["ApiVersion"])
    rid = api.create_ok(topic(ApiVersion="20.1"))
    [r] = api.update([{"type": "PushTopic", "Id": rid, "ApiVersion": version}])
    assert_error(r, "FIELD_INTEGRITY_EXCEPTION", fields=["ApiVersion"])


def test_required_fields(api):
    [r] = api.create([{"type": "PushTopic"}])
    e = assert_error(r, "REQUIRED_FIELD_MISSING")
    assert set(e.fields) == {"ApiVersion", "Name", "Query"}


# The guide's "Unsupported PushTopic Queries", each with its code and message; the last ones are
# SOQL faults (their message without the query excerpt) and our texts where the guide gives none.
REFUSED = [
    ("SELECT Id, Subject FROM Case WHERE Id IN (SELECT CaseId FROM LiveChatTranscript)",
     "INVALID_FIELD", "semi/anti join sub-selects are not supported"),
    ("SELECT Id, AVG(CapacityWeight) FROM AgentWork", "INVALID_FIELD",
     "Aggregate queries are not supported"),
    ("SELECT Id, Status, Count(Subject) FROM Case", "INVALID_FIELD",
     "Aggregate queries are not supported"),
    ("SELECT Id, Subject FROM Case LIMIT 10", "INVALID_FIELD", "'LIMIT' is not allowed"),
    ("SELECT Id, Owner.Name FROM Case", "INVALID_FIELD", "relationships are not supported"),
    ("SELECT Id FROM AgentWork WHERE ServiceChannel.DeveloperName = 'Chat'", "INVALID_FIELD",
     "relationships are not supported"),
    ("SELECT Id, Subject FROM Case ORDER BY Subject", "INVALID_FIELD",
     "'ORDER BY' clause is not allowed"),
    ("SELECT Id, OwnerId FROM Case GROUP BY OwnerId", "INVALID_FIELD",
     "Aggregate queries are not supported"),
    ("SELECT Id FROM Case WHERE NOT Subject = 'Salesforce.com'", "INVALID_FIELD",
     "'NOT' is not supported"),
    ("SELECT Id FROM Case OFFSET 10", "INVALID_FIELD", "'OFFSET' is not allowed"),
    ("SELECT Subject FROM Case", "INVALID_FIELD",
     "The SELECT clause of a PushTopic query must include Id"),
    ("SELECT Id, Nope FROM Case", "INVALID_FIELD",
     "No such column 'Nope' on entity 'Case'. If you are attempting to use a custom field, be "
     "sure to append the '__c' after the custom field name. Please reference your WSDL or the "
     "describe call for the appropriate names."),
    ("SELECT Id FROM Nope", "INVALID_TYPE", None),
    ("SELECT Id FROM", "INVALID_FIELD", None),
]


@pytest.mark.parametrize("soql,code,message", REFUSED, ids=[q for q, _, _ in REFUSED])
def test_invalid_query_refused_on_create_and_update(api, soql, code, message):
    [r] = api.create([topic(Query=soql)])
    e = assert_error(r, code, message=message, fields=["Query"])
    assert "ERROR at Row" not in e.message
    rid = api.create_ok(topic())
    [r] = api.update([{"type": "PushTopic", "Id": rid, "Query": soql}])
    assert_error(r, code, message=message, fields=["Query"])
    assert read(api, rid)["Query"] == "SELECT Id, Subject FROM Case"


def test_supported_queries(api):
    for soql in ["SELECT Id, Subject FROM Case WHERE Status NOT IN ('Closed', 'Escalated')",
                 "SELECT Id FROM Case WHERE Subject LIKE 'Urgent%' AND (Priority = 'High' OR "
                 "Status != 'New')",
                 "SELECT Id, Status FROM AgentWork WHERE CapacityWeight > 1.5",
                 "SELECT Id FROM UserServicePresence WHERE IsAway = false",
                 "SELECT Id FROM LiveChatTranscript WHERE CreatedDate = TODAY"]:
        assert_ok(api.create([topic(Query=soql)])[0])


def test_only_the_bad_record_of_a_call_is_refused(api):
    good, bad = api.create([topic(), topic(Query="SELECT Id FROM Case LIMIT 1")])
    assert_ok(good)
    assert_error(bad, "INVALID_FIELD", "'LIMIT' is not allowed", ["Query"])


# The guide's "NotifyForFields Set to ..." pages: each rule needs a field other than Id where it
# looks (the messages are ours: the guide gives none).
@pytest.mark.parametrize("rule,soql", [
    ("Referenced", "SELECT Id FROM Case"),
    ("Referenced", "SELECT Id FROM Case WHERE Id = '500000000000001'"),
    ("Select", "SELECT Id FROM Case WHERE Status = 'New'"),
    ("Where", "SELECT Id, Subject FROM Case"),
])
def test_notify_for_fields_needs_a_field_other_than_id(api, rule, soql):
    [r] = api.create([topic(Query=soql, NotifyForFields=rule)])
    e = assert_error(r, "INVALID_FIELD", fields=["Query"])
    assert e.message.startswith("With NotifyForFields %s, the query needs a field other than Id"
                                % rule)
    assert_ok(api.create([topic(Query=soql, NotifyForFields="All")])[0])


def test_changing_notify_for_fields_alone_is_checked_against_the_stored_query(api):
    rid = api.create_ok(topic(Query="SELECT Id, Subject FROM Case", NotifyForFields="Select"))
    [r] = api.update([{"type": "PushTopic", "Id": rid, "NotifyForFields": "Where"}])
    assert_error(r, "INVALID_FIELD", fields=["Query"])
    assert read(api, rid)["NotifyForFields"] == "Select"
    assert_ok(api.update([{"type": "PushTopic", "Id": rid, "NotifyForFields": "Referenced"}])[0])
