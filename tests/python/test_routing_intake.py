"""Work entering Omni-Channel routing, end to end through zeep with Salesforce's partner WSDL.

As in an org: a Case or LiveChatTranscript whose owner is a queue (a Group of Type Queue) with a
routing configuration (Group.QueueRoutingConfigId) gets a PendingServiceRouting in the SAME
transaction as the change that put it there, with the configuration's routing model, priority
and capacity and the service channel of its object; work given back to a user, moved to a queue
without routing, closed or deleted leaves routing (its PendingServiceRouting goes to the recycle
bin); an AllOrNone call that rolls back leaves none. The API itself can only read
PendingServiceRouting. Agents are Users created through the API; setPassword/resetPassword give
them a password and they log in with a plain SOAP login.
"""
import pytest
import requests
import zeep

from conftest import (ADMIN_USER, PARTNER_NS, PartnerApi, _read_partner_sobject, assert_ok,
                      body_result, describe_errors, partner_login, parse_datetime, unique_text)

PSR_FIELDS = ("Id, Name, WorkItemId, QueueId, OwnerId, ServiceChannelId, RoutingModel, "
              "RoutingPriority, CapacityWeight, CapacityPercentage, RoutingType, "
              "IsReadyForRouting, IsPushed, IsPushAttempted, IsTransfer, Serial, IsDeleted, "
              "CreatedDate, CustomRequestedDateTime, LastDeclinedAgentSession")


def query(api, soql, all_rows=False):
    call = api.service.queryAll if all_rows else api.service.query
    result = body_result(call(soql, _soapheaders=api.headers()))
    return [_read_partner_sobject(r) for r in (result.records or [])]


def psrs_of(api, work_item_id, all_rows=False):
    return query(api, "SELECT %s FROM PendingServiceRouting WHERE WorkItemId = '%s'"
                 % (PSR_FIELDS, work_item_id), all_rows)


def channel_for(api, factory, entity):
    """The org's ServiceChannel for an object (one per RelatedEntity: found, or made)."""
    found = query(api, "SELECT Id FROM ServiceChannel WHERE RelatedEntity = '%s'" % entity)
    if found:
        return found[0]["Id"]
    r = api.create([factory.build("ServiceChannel", RelatedEntity=entity)])[0]
    if r.success:
        return r.id
    found = query(api, "SELECT Id FROM ServiceChannel WHERE RelatedEntity = '%s'" % entity)
    assert found, describe_errors(r)
    return found[0]["Id"]


def routing_config(api, model="LeastActive", priority=1, weight="2", percentage=None):
    rec = {"type": "QueueRoutingConfig", "MasterLabel": unique_text(20, "Cfg"),
           "RoutingModel": model, "RoutingPriority": str(priority), "PushTimeout": "30"}
    if weight is not None:
        rec["CapacityWeight"] = weight
    if percentage is not None:
        rec["CapacityPercentage"] = percentage
    return api.create_ok(rec)


def queue(api, config_id=None, group_type="Queue"):
    rec = {"type": "Group", "Name": unique_text(30, "Q"), "Type": group_type}
    if config_id:
        rec["QueueRoutingConfigId"] = config_id
    return api.create_ok(rec)


def new_case(api, owner_id, **fields):
    return api.create_ok(dict({"type": "Case", "Subject": unique_text(20, "Routed"),
                               "OwnerId": owner_id}, **fields))


def same_id(a, b):
    return a is not None and b is not None and a[:15] == b[:15]


@pytest.fixture(scope="module")
def case_channel(api, factory):
    return channel_for(api, factory, "Case")


@pytest.fixture(scope="module")
def chat_channel(api, factory):
    return channel_for(api, factory, "LiveChatTranscript")


@pytest.fixture(scope="module")
def routed_queue(api):
    config = routing_config(api, "LeastActive", priority=1, weight="2")
    return queue(api, config), config


def test_case_in_routed_queue_gets_pending_routing_in_the_same_transaction(
        api, case_channel, routed_queue):
    queue_id, _ = routed_queue
    case_id = new_case(api, queue_id)
    psrs = psrs_of(api, case_id)
    assert len(psrs) == 1, psrs
    p = psrs[0]
    assert same_id(p["WorkItemId"], case_id)
    assert same_id(p["QueueId"], queue_id)
    assert same_id(p["OwnerId"], queue_id)
    assert same_id(p["ServiceChannelId"], case_channel)
    assert p["RoutingModel"] == "LeastActive"
    assert p["RoutingPriority"] == "1"
    assert float(p["CapacityWeight"]) == 2.0
    assert p["CapacityPercentage"] is None
    assert p["RoutingType"] == "QueueBased"
    assert p["IsReadyForRouting"] == "true"
    assert p["IsPushed"] == "false" and p["IsPushAttempted"] == "false"
    assert p["IsTransfer"] == "false"
    assert p["Serial"] == "1"
    assert p["CustomRequestedDateTime"] is None and p["LastDeclinedAgentSession"] is None
    case = api.retrieve(["CaseNumber", "CreatedDate"], "Case", [case_id])[0]
    assert p["Name"] == case["CaseNumber"]
    # One transaction, one timestamp: the routing request was made by the create itself.
    assert parse_datetime(p["CreatedDate"]) == parse_datetime(case["CreatedDate"])


def test_work_given_to_a_user_leaves_routing_and_comes_back(api, routed_queue):
    queue_id, _ = routed_queue
    case_id = new_case(api, queue_id)
    first = psrs_of(api, case_id)[0]
    assert_ok(api.update([{"type": "Case", "Id": case_id, "OwnerId": api.user_id}])[0])
    assert psrs_of(api, case_id) == []
    gone = psrs_of(api, case_id, all_rows=True)
    assert [g["Id"] for g in gone] == [first["Id"]] and gone[0]["IsDeleted"] == "true"
    # Back into the queue: a new request for routing.
    assert_ok(api.update([{"type": "Case", "Id": case_id, "OwnerId": queue_id}])[0])
    again = psrs_of(api, case_id)
    assert len(again) == 1 and again[0]["Id"] != first["Id"]
    assert again[0]["Serial"] == "1"


def test_an_edit_that_keeps_the_queue_keeps_the_request(api, routed_queue):
    queue_id, _ = routed_queue
    case_id = new_case(api, queue_id)
    before = psrs_of(api, case_id)[0]
    assert_ok(api.update([{"type": "Case", "Id": case_id, "Subject": "edited",
                           "Priority": "High"}])[0])
    assert_ok(api.update([{"type": "Case", "Id": case_id, "OwnerId": queue_id}])[0])
    after = psrs_of(api, case_id)
    assert [a["Id"] for a in after] == [before["Id"]]
    assert after[0]["Serial"] == "1"


def test_moving_to_another_routed_queue_replaces_the_request(api, routed_queue):
    queue_id, _ = routed_queue
    other_config = routing_config(api, "MostAvailable", priority=3, weight=None,
                                  percentage="40")
    other = queue(api, other_config)
    case_id = new_case(api, queue_id)
    first = psrs_of(api, case_id)[0]
    assert_ok(api.update([{"type": "Case", "Id": case_id, "OwnerId": other}])[0])
    now = psrs_of(api, case_id)
    assert len(now) == 1 and now[0]["Id"] != first["Id"]
    p = now[0]
    assert same_id(p["QueueId"], other)
    assert p["RoutingModel"] == "MostAvailable" and p["RoutingPriority"] == "3"
    assert float(p["CapacityPercentage"]) == 40.0 and p["CapacityWeight"] is None


def test_closed_work_leaves_routing(api, routed_queue):
    queue_id, _ = routed_queue
    case_id = new_case(api, queue_id)
    assert len(psrs_of(api, case_id)) == 1
    assert_ok(api.update([{"type": "Case", "Id": case_id, "Status": "Closed"}])[0])
    assert psrs_of(api, case_id) == []
    # Created closed: never routed. Reopened: routed.
    closed = new_case(api, queue_id, Status="Closed")
    assert psrs_of(api, closed) == []
    assert_ok(api.update([{"type": "Case", "Id": closed, "Status": "Working"}])[0])
    assert len(psrs_of(api, closed)) == 1


def test_deleted_work_leaves_routing_and_undelete_brings_it_back(api, routed_queue):
    queue_id, _ = routed_queue
    case_id = new_case(api, queue_id)
    assert len(psrs_of(api, case_id)) == 1
    assert_ok(api.delete([case_id])[0])
    assert psrs_of(api, case_id) == []
    assert_ok(api.undelete([case_id])[0])
    assert len(psrs_of(api, case_id)) == 1


def test_queues_without_routing_and_users_do_not_route(api):
    plain_queue = queue(api)
    regular_group = queue(api, routing_config(api), group_type="Regular")
    for owner in (plain_queue, regular_group, api.user_id):
        case_id = new_case(api, owner)
        assert psrs_of(api, case_id) == [], owner


def test_external_routing_configuration_gives_external_requests(api):
    config = routing_config(api, "ExternalRouting", priority=2, weight="1")
    case_id = new_case(api, queue(api, config))
    p = psrs_of(api, case_id)[0]
    assert p["RoutingModel"] == "ExternalRouting"
    assert p["RoutingPriority"] == "2"
    # The guide's PushTopic query finds it.
    found = query(api, "SELECT Id, Serial, QueueId, WorkItemId, IsPushed, ServiceChannelId, "
                       "LastDeclinedAgentSession, CreatedDate FROM PendingServiceRouting WHERE "
                       "RoutingModel = 'ExternalRouting' AND WorkItemId = '%s'" % case_id)
    assert [f["Id"] for f in found] == [p["Id"]]


def test_chat_transcripts_route_on_their_channel(api, chat_channel, routed_queue):
    queue_id, _ = routed_queue
    chat = api.create_ok({"type": "LiveChatTranscript", "OwnerId": queue_id,
                          "Status": "Waiting", "ChatKey": unique_text(30, "k")})
    p = psrs_of(api, chat)
    assert len(p) == 1
    assert same_id(p[0]["ServiceChannelId"], chat_channel)
    name = api.retrieve(["Name"], "LiveChatTranscript", [chat])[0]["Name"]
    assert p[0]["Name"] == name
    assert_ok(api.update([{"type": "LiveChatTranscript", "Id": chat, "Status": "InProgress"}])[0])
    assert len(psrs_of(api, chat)) == 1
    assert_ok(api.update([{"type": "LiveChatTranscript", "Id": chat, "Status": "Completed"}])[0])
    assert psrs_of(api, chat) == []
    missed = api.create_ok({"type": "LiveChatTranscript", "OwnerId": queue_id,
                            "Status": "Missed"})
    assert psrs_of(api, missed) == []


def test_all_or_none_rollback_leaves_no_pending_routing(api):
    config = routing_config(api)
    q = queue(api, config)
    good = {"type": "Case", "Subject": "rolled back", "OwnerId": q}
    bad = {"type": "Case", "Subject": "bad", "OwnerId": "not-an-id"}
    results = api.create([good, bad], all_or_none=True)
    assert not results[0].success and not results[1].success
    by_queue = "SELECT Id FROM PendingServiceRouting WHERE QueueId = '%s'" % q
    assert query(api, by_queue) == []
    assert query(api, by_queue, all_rows=True) == []
    # The same records without the header: the good one is stored and routed.
    results = api.create([good, bad])
    assert results[0].success and not results[1].success
    assert len(query(api, by_queue)) == 1


def test_the_api_cannot_write_pending_routing(api, routed_queue):
    queue_id, _ = routed_queue
    case_id = new_case(api, queue_id)
    p = psrs_of(api, case_id)[0]
    created = api.create([{"type": "PendingServiceRouting", "WorkItemId": case_id,
                           "CapacityWeight": "1"}])[0]
    assert not created.success
    assert created.errors[0].statusCode == "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY"
    updated = api.update([{"type": "PendingServiceRouting", "Id": p["Id"],
                           "CapacityWeight": "5"}])[0]
    assert not updated.success
    deleted = api.delete([p["Id"]])[0]
    assert not deleted.success
    assert psrs_of(api, case_id)[0]["CapacityWeight"] == p["CapacityWeight"]


# ------------------------------------------------------------------------------------------
# Agents: Users created through the API, given a password, logging in with a plain SOAP login
# ------------------------------------------------------------------------------------------

def new_user(api):
    name = unique_text(16, "agent").lower() + "@omni.local"
    user_id = api.create_ok({
        "type": "User", "Username": name, "LastName": "Agent", "FirstName": "Omni",
        "Email": name, "Alias": "agent", "ProfileId": api.profile_id,
        "TimeZoneSidKey": "America/Los_Angeles", "LocaleSidKey": "en_US",
        "LanguageLocaleKey": "en_US", "EmailEncodingKey": "UTF-8"})
    return user_id, name


def fault_of(call):
    with pytest.raises(zeep.exceptions.Fault) as info:
        call()
    detail = info.value.detail
    code = detail.find(".//{*}exceptionCode").text if detail is not None else None
    return info.value, code


def test_set_password_lets_an_agent_log_in_and_work(api, sf_partner_client, routed_queue):
    user_id, name = new_user(api)
    # No password yet: the login is refused as any wrong password.
    fault, code = fault_of(lambda: partner_login(sf_partner_client, name, "Agent1pass"))
    assert code == "INVALID_LOGIN"
    # Answered with an empty SetPasswordResult (zeep reads <result/> as None).
    api.service.setPassword(user_id, "Agent1pass", _soapheaders=api.headers())
    login = partner_login(sf_partner_client, name, "Agent1pass")
    assert same_id(login.userId, user_id)
    assert login.userInfo.userName == name
    agent = PartnerApi(sf_partner_client, login)
    info = agent.get_user_info()
    assert same_id(info.userId, user_id) and info.userFullName == "Omni Agent"
    # The agent's own calls are the agent's: the record says who made it.
    queue_id, _ = routed_queue
    case_id = new_case(agent, queue_id)
    row = api.retrieve(["CreatedById"], "Case", [case_id])[0]
    assert same_id(row["CreatedById"], user_id)
    assert len(psrs_of(api, case_id)) == 1
    # A new password replaces the old one.
    api.service.setPassword(user_id, "Second2pass", _soapheaders=api.headers())
    fault, code = fault_of(lambda: partner_login(sf_partner_client, name, "Agent1pass"))
    assert code == "INVALID_LOGIN"
    assert same_id(partner_login(sf_partner_client, name, "Second2pass").userId, user_id)


def test_reset_password_answers_a_password_that_logs_in(api, sf_partner_client):
    user_id, name = new_user(api)
    result = body_result(api.service.resetPassword(user_id, _soapheaders=api.headers()))
    password = result.password
    assert len(password) >= 8 and password.isalnum()
    assert any(c.isdigit() for c in password) and any(c.isalpha() for c in password)
    assert same_id(partner_login(sf_partner_client, name, password).userId, user_id)
    again = body_result(api.service.resetPassword(user_id, _soapheaders=api.headers())).password
    assert again != password
    fault, code = fault_of(lambda: partner_login(sf_partner_client, name, password))
    assert code == "INVALID_LOGIN"


def test_set_password_faults(api):
    user_id, _ = new_user(api)
    h = api.headers()
    cases = [
        ((user_id, "short1"), "INVALID_NEW_PASSWORD", "InvalidNewPasswordFault",
         "Your password must be at least 8 characters long."),
        ((user_id, "lettersonly"), "INVALID_NEW_PASSWORD", "InvalidNewPasswordFault",
         "Your password must have a mix of letters and numbers."),
        (("005000000000001AAA", "Agent1pass"), "INVALID_ID_FIELD", "InvalidIdFault",
         "invalid user id"),
        ((api.profile_id, "Agent1pass"), "INVALID_ID_FIELD", "InvalidIdFault",
         "invalid user id"),
    ]
    for args, code, kind, message in cases:
        fault, got = fault_of(lambda: api.service.setPassword(*args, _soapheaders=h))
        assert got == code, args
        assert fault.message == "%s: %s" % (code, message)
        assert fault.detail.find("{*}" + kind) is not None, args
    fault, got = fault_of(lambda: api.service.resetPassword("005000000000001AAA",
                                                            _soapheaders=h))
    assert got == "INVALID_ID_FIELD"
    # Without a session: INVALID_SESSION_ID, as every call.
    fault, got = fault_of(lambda: api.service.setPassword(
        user_id, "Agent1pass", _soapheaders={"SessionHeader": {"sessionId": "nope"}}))
    assert got == "INVALID_SESSION_ID"


def test_set_password_on_the_enterprise_api(enterprise, api, sf_partner_client):
    svc, headers, _ = enterprise
    user_id, name = new_user(api)
    svc.setPassword(user_id, "Enter1prise", _soapheaders=headers)
    assert same_id(partner_login(sf_partner_client, name, "Enter1prise").userId, user_id)
    result = body_result(svc.resetPassword(user_id, _soapheaders=headers))
    # zeep hands a one-member ResetPasswordResult from this WSDL over as the member itself.
    password = result if isinstance(result, str) else result.password
    assert same_id(partner_login(sf_partner_client, name, password).userId, user_id)


def test_agents_join_queues_through_group_member(api, routed_queue):
    queue_id, _ = routed_queue
    user_id, _ = new_user(api)
    member = api.create_ok({"type": "GroupMember", "GroupId": queue_id, "UserOrGroupId": user_id})
    rows = query(api, "SELECT Id, UserOrGroupId FROM GroupMember WHERE GroupId = '%s'" % queue_id)
    assert [(r["Id"], r["UserOrGroupId"][:15]) for r in rows] == [(member, user_id[:15])]
    # Membership is created and deleted, never edited (the real object has no update).
    r = api.update([{"type": "GroupMember", "Id": member, "UserOrGroupId": api.user_id}])[0]
    assert not r.success
    assert_ok(api.delete([member])[0])


def test_the_wsdls_and_describe_carry_the_new_objects_and_calls(omni_url, api):
    enterprise = requests.get(omni_url + "/services/wsdl/enterprise", timeout=30).text
    for needle in ('<complexType name="LiveChatTranscript">', '<complexType name="GroupMember">',
                   '<element name="QueueRoutingConfigId"', '<operation name="setPassword">',
                   '<operation name="resetPassword">'):
        assert needle in enterprise, needle
    partner = requests.get(omni_url + "/services/wsdl/partner", timeout=30).text
    assert '<operation name="setPassword">' in partner
    assert '<operation name="resetPassword">' in partner
    described = body_result(api.service.describeSObject("LiveChatTranscript",
                                                        _soapheaders=api.headers()))
    assert described.keyPrefix == "570"
    status = [f for f in described.fields if f.name == "Status"][0]
    assert [p.value for p in status.picklistValues] == ["Waiting", "InProgress", "Completed",
                                                       "Missed"]
    owner = [f for f in described.fields if f.name == "OwnerId"][0]
    assert list(owner.referenceTo) == ["User", "Group"]
    work_item = body_result(api.service.describeSObject(
        "PendingServiceRouting", _soapheaders=api.headers()))
    ref = [f for f in work_item.fields if f.name == "WorkItemId"][0]
    assert list(ref.referenceTo) == ["Case", "LiveChatTranscript"]
