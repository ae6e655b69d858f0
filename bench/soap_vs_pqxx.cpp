// Benchmark: create, retrieve and SOQL query throughput through the partner SOAP endpoint with
// several concurrent keep-alive clients, next to the same statements issued straight to the same
// PostgreSQL (same cluster, so the same fsync/synchronous_commit settings) with libpqxx, reported
// as markdown table rows measured in one run.
//
//   omni-bench --url http://localhost:18090 --database-url postgresql://... [--clients 4]
//
// The reference is the SQL the emulator's storage issues per call (the text is the server's own,
// copied from the statements PostgreSQL logs for it), as prepared statements: a single-record
// create is the server's one auto-committed statement (INSERT ... RETURNING, change-log row,
// head bump, NOTIFY); a create of several is BEGIN, per record a SAVEPOINT, the INSERT ...
// RETURNING and a RELEASE, the call's one change-log statement, COMMIT; Ids and timestamps are
// made in-process as the server makes them. A retrieve is the server's SELECT by id list alone; a
// query is the server's page SELECT (and, when the page is full, its COUNT). What the server adds
// beyond that (HTTP, XML, the session, validation) is what the ratio shows. One more row gives
// the ceiling the transport alone sets: requests that do no work at all (a 404) next to the
// single-row retrieve's reference.
// (A benchmark, not a test: it links libpqxx itself for the reference, which the server keeps
// inside storage/.)
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_report.h"
#include "bench/soap_client.h"

namespace {

using omni_bench::Envelope;
using omni_bench::FirstText;
using omni_bench::Http;
using omni_bench::Texts;

// The API's text form of now, as the server's clock writes it.
std::string NowText() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

using Clock = std::chrono::steady_clock;

// Distinct names for every record any run creates.
std::atomic<long> g_seq{0};

std::string SObject(const std::string& tag) {
  return "<p:sObjects><s:type>ServicePresenceStatus</s:type><s:DeveloperName>" + tag +
         "</s:DeveloperName><s:MasterLabel>" + tag + "</s:MasterLabel></p:sObjects>";
}

struct Result {
  double seconds;
  long records;
};

// Runs fn(client index, iteration) on `clients` threads for `per_client` iterations each.
Result RunParallel(int clients, int per_client, long records_per_iteration,
                   const std::function<void(int, int)>& fn) {
  auto start = Clock::now();
  std::vector<std::thread> threads;
  std::atomic<bool> failed{false};
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      try {
        for (int i = 0; i < per_client; ++i) fn(c, i);
      } catch (const std::exception& e) {
        std::cerr << "client " << c << ": " << e.what() << "\n";
        failed = true;
      }
    });
  }
  for (auto& t : threads) t.join();
  if (failed) throw std::runtime_error("a client failed");
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  return {secs, static_cast<long>(clients) * per_client * records_per_iteration};
}

// One markdown table row: records per second both ways, and ours as a fraction of the reference.
void Report(const std::string& name, const Result& soap, const Result& pg) {
  double soap_rate = soap.records / soap.seconds, pg_rate = pg.records / pg.seconds;
  std::printf("| %s | %.0f rec/s | %.0f rec/s (libpqxx) | %.3f |\n", name.c_str(), soap_rate,
              pg_rate, soap_rate / pg_rate);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::string url, db;
  int clients = 4, iterations = 200;
  if (!omni_bench::ParseOptions(argc, argv,
                                {{"--url", omni_bench::TextOption(&url)},
                                 {"--database-url", omni_bench::TextOption(&db)},
                                 {"--clients", omni_bench::IntOption(&clients)},
                                 {"--iterations", omni_bench::IntOption(&iterations)}})) {
    return 2;
  }
  if (url.empty() || db.empty()) {
    std::cerr << "usage: omni-bench --url URL --database-url URL [--clients N] [--iterations N]\n";
    return 2;
  }
  int port = std::stoi(url.substr(url.rfind(':') + 1));
  const std::string path = "/services/Soap/u/44.0";
  std::string run = std::to_string(std::chrono::system_clock::now().time_since_epoch().count());

  Http login_conn(port);
  std::string login = login_conn.Post(
      path, Envelope("",
                     "<p:login><p:username>admin@omni.local</p:username><p:password>"
                     "password</p:password></p:login>"));
  std::string session = FirstText(login, "sessionId");
  std::string user_id = FirstText(login, "userId");
  std::string org_id = FirstText(login, "organizationId");
  std::string header =
      "<p:SessionHeader><p:sessionId>" + session + "</p:sessionId></p:SessionHeader>";

  std::vector<std::unique_ptr<Http>> conns;
  for (int c = 0; c < clients; ++c) conns.push_back(std::make_unique<Http>(port));
  std::vector<std::unique_ptr<pqxx::connection>> pgs;
  for (int c = 0; c < clients; ++c) pgs.push_back(std::make_unique<pqxx::connection>(db));

  // Ids created through SOAP, per client, for the retrieve runs.
  std::vector<std::vector<std::string>> ids(clients);
  auto soap_create = [&](int batch) {
    return [&, batch](int c, int) {
      std::string body = "<p:create>";
      for (int r = 0; r < batch; ++r) {
        body += SObject("b" + run + "_" + std::to_string(g_seq++));
      }
      std::string resp = conns[c]->Post(path, Envelope(header, body + "</p:create>"));
      std::vector<std::string> made = Texts(resp, "id");
      for (const auto& id : made) {
        if (ids[c].size() < 4000) ids[c].push_back(id);
      }
      if (static_cast<int>(made.size()) != batch) {
        throw std::runtime_error("create failed: " + resp.substr(0, 400));
      }
    };
  };
  // The statements the server issues for a create, as it logs them: BEGIN, per record its
  // INSERT ... RETURNING (the after image; with a SAVEPOINT around it when the call has several
  // records), the one change-log statement of the call (positions, rows, NOTIFY), COMMIT. Ids
  // and timestamps are made here, as the server makes them in-process (Ids in blocks from the
  // sequence, time from its clock). The change-log rows go to a reference org of their own.
  const std::string kReturning =
      " RETURNING id, CASE WHEN \"isdeleted\" THEN 'true' WHEN NOT \"isdeleted\" THEN 'false' "
      "END, \"createdbyid\", to_char(\"createddate\" AT TIME ZONE 'UTC', "
      "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), \"lastmodifiedbyid\", to_char(\"lastmodifieddate\" "
      "AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), to_char(\"systemmodstamp\" AT "
      "TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), \"developername\", \"language\", "
      "\"masterlabel\"";
  for (auto& pg : pgs) {
    pg->prepare("insert",
                "INSERT INTO \"sobj_servicepresencestatus\" (org_id, \"id\", \"isdeleted\", "
                "\"createdbyid\", \"createddate\", \"lastmodifiedbyid\", \"lastmodifieddate\", "
                "\"systemmodstamp\", \"developername\", \"language\", \"masterlabel\") VALUES "
                "($1, $2::text, $3::boolean, $4::text, $5::timestamptz, $6::text, $7::timestamptz, "
                "$8::timestamptz, $9::text, $10::text, $11::text)" +
                    kReturning);
    pg->prepare(
        "flush",
        "WITH head AS (INSERT INTO omni_change_heads (org_id, last) VALUES ($1, $3::bigint) "
        "ON CONFLICT (org_id) DO UPDATE SET last = omni_change_heads.last + EXCLUDED.last "
        "RETURNING last), "
        "ins AS (INSERT INTO omni_change_log (org_id, position, kind, object, record_id, user_id, "
        "before, after, committed_at) SELECT $1, head.last - $3::bigint + e.ord, e.c->>'k', "
        "e.c->>'o', e.c->>'r', e.c->>'u', e.c->'b', e.c->'a', clock_timestamp() FROM head, "
        "jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e(c, ord)), "
        "prune AS (DELETE FROM omni_change_log WHERE org_id = $1 AND $4::bigint > 0 AND "
        "position <= (SELECT last FROM head) - $4::bigint AND (SELECT last FROM head) / "
        "$5::bigint <> ((SELECT last FROM head) - $3::bigint) / $5::bigint) "
        "SELECT pg_notify('omni_changes', $1 || ':' || last) FROM head");
  }
  // A create of one record: the server's lone-insert statement, auto-committed.
  const std::string kLoneImage =
      " RETURNING id AS c0, CASE WHEN \"isdeleted\" THEN 'true' WHEN NOT \"isdeleted\" THEN "
      "'false' END AS c1, \"createdbyid\" AS c2, to_char(\"createddate\" AT TIME ZONE 'UTC', "
      "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS c3, \"lastmodifiedbyid\" AS c4, "
      "to_char(\"lastmodifieddate\" AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') "
      "AS c5, to_char(\"systemmodstamp\" AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') "
      "AS c6, \"developername\" AS c7, \"language\" AS c8, \"masterlabel\" AS c9";
  for (auto& pg : pgs) {
    pg->prepare(
        "lone",
        "WITH ins AS (INSERT INTO \"sobj_servicepresencestatus\" (org_id, \"id\", \"isdeleted\", "
        "\"createdbyid\", \"createddate\", \"lastmodifiedbyid\", \"lastmodifieddate\", "
        "\"systemmodstamp\", \"developername\", \"language\", \"masterlabel\") VALUES ($1, "
        "$2::text, $3::boolean, $4::text, $5::timestamptz, $6::text, $7::timestamptz, "
        "$8::timestamptz, $9::text, $10::text, $11::text)" +
            kLoneImage +
            "), head AS (INSERT INTO omni_change_heads (org_id, last) VALUES ($1, 1) ON CONFLICT "
            "(org_id) DO UPDATE SET last = omni_change_heads.last + 1 RETURNING last), log AS "
            "(INSERT INTO omni_change_log (org_id, position, kind, object, record_id, user_id, "
            "before, after, committed_at) SELECT $1, head.last, 'created', $12, ins.c0, $13, "
            "NULL, jsonb_build_object('Id', c0, 'IsDeleted', c1, 'CreatedById', c2, "
            "'CreatedDate', c3, 'LastModifiedById', c4, 'LastModifiedDate', c5, "
            "'SystemModstamp', c6, 'DeveloperName', c7, 'Language', c8, 'MasterLabel', c9), "
            "clock_timestamp() FROM ins, head), prune AS (DELETE FROM omni_change_log WHERE "
            "org_id = $1 AND $14::bigint > 0 AND position <= (SELECT last FROM head) - "
            "$14::bigint AND (SELECT last FROM head) % $15::bigint = 0) SELECT ins.*, "
            "pg_notify('omni_changes', $1 || ':' || head.last) FROM ins, head");
  }
  const std::string ref_org = "00Dref0000000000";
  auto pg_create = [&, ref_org](int batch) {
    return [&, batch, ref_org](int c, int) {
      if (batch == 1) {
        pqxx::nontransaction w(*pgs[c]);
        std::string tag = "r" + run + "_" + std::to_string(g_seq++);
        std::string now = NowText();
        // The reference org for the record and its change alike (removed at the end).
        w.exec_prepared("lone", ref_org, "0N5ref" + tag, "false", user_id, now, user_id, now, now,
                        tag, nullptr, tag, "ServicePresenceStatus", user_id, 100000, 1000);
        return;
      }
      pqxx::work w(*pgs[c]);
      std::string now = NowText();
      std::string changes = "[";
      for (int r = 0; r < batch; ++r) {
        std::string tag = "r" + run + "_" + std::to_string(g_seq++);
        // Reference rows get ids no emulator id can have (the server's are 0N58W...), so that
        // they can be removed at the end.
        std::string id = "0N5ref" + tag;
        w.exec("SAVEPOINT omni_record");
        pqxx::result row = w.exec_prepared("insert", org_id, id, "false", user_id, now, user_id,
                                           now, now, tag, nullptr, tag);
        w.exec("RELEASE SAVEPOINT omni_record");
        if (r > 0) changes += ",";
        changes += "{\"k\":\"created\",\"o\":\"ServicePresenceStatus\",\"r\":\"" + id +
                   "\",\"u\":\"" + user_id + "\",\"b\":null,\"a\":{\"Id\":\"" + id +
                   "\",\"IsDeleted\":\"false\",\"CreatedById\":\"" + user_id +
                   "\",\"CreatedDate\":\"" + std::string(row[0][3].c_str()) +
                   "\",\"DeveloperName\":\"" + tag + "\",\"MasterLabel\":\"" + tag + "\"}}";
      }
      changes += "]";
      w.exec_prepared("flush", ref_org, changes, batch, 100000, 1000);
      w.commit();
    };
  };
  auto soap_retrieve = [&](int batch) {
    return [&, batch](int c, int i) {
      std::string body =
          "<p:retrieve><p:fieldList>Id, DeveloperName, MasterLabel, CreatedDate"
          "</p:fieldList><p:sObjectType>ServicePresenceStatus</p:sObjectType>";
      for (int r = 0; r < batch; ++r) {
        body +=
            "<p:ids>" + ids[c][(static_cast<size_t>(i) * batch + r) % ids[c].size()] + "</p:ids>";
      }
      std::string resp = conns[c]->Post(path, Envelope(header, body + "</p:retrieve>"));
      if (resp.find("DeveloperName") == std::string::npos) {
        throw std::runtime_error("retrieve failed: " + resp.substr(0, 400));
      }
    };
  };
  // The server's SELECT by id list, as it logs it, alone: at best a read needs no BEGIN/ROLLBACK.
  for (auto& pg : pgs) {
    for (int batch : {1, 200}) {
      std::string in;
      for (int r = 0; r < batch; ++r) in += (r ? ", $" : "$") + std::to_string(r + 1);
      pg->prepare("retrieve" + std::to_string(batch),
                  "SELECT id, \"id\", \"developername\", \"masterlabel\", to_char(\"createddate\" "
                  "AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') FROM "
                  "\"sobj_servicepresencestatus\" WHERE org_id = $" +
                      std::to_string(batch + 1) + " AND id IN (" + in + ") AND NOT isdeleted");
    }
  }
  auto pg_retrieve = [&](int batch) {
    return [&, batch](int c, int i) {
      pqxx::nontransaction w(*pgs[c]);
      std::vector<std::string> params;
      for (int r = 0; r < batch; ++r) {
        params.push_back(ids[c][(static_cast<size_t>(i) * batch + r) % ids[c].size()]);
      }
      params.push_back(org_id);
      auto rows = w.exec_prepared("retrieve" + std::to_string(batch),
                                  pqxx::prepare::make_dynamic_params(params));
      if (rows.size() == 0) throw std::runtime_error("select found nothing");
    };
  };

  const std::string on = ", " + std::to_string(clients) + " clients";
  // Warm-up, and the ids for the retrieve runs.
  RunParallel(clients, 20, 1, soap_create(1));
  RunParallel(clients, 20, 1, pg_create(1));
  Report("create, 1 record/call" + on, RunParallel(clients, iterations, 1, soap_create(1)),
         RunParallel(clients, iterations, 1, pg_create(1)));
  int big = std::max(5, iterations / 20);
  Report("create, 200 records/call" + on, RunParallel(clients, big, 200, soap_create(200)),
         RunParallel(clients, big, 200, pg_create(200)));
  Report("retrieve, 1 id/call" + on, RunParallel(clients, iterations, 1, soap_retrieve(1)),
         RunParallel(clients, iterations, 1, pg_retrieve(1)));
  // The transport's ceiling: a request that does no work at all (a 404 with a short text), next to
  // the single-row retrieve's reference. No call through HTTP can beat this ratio.
  auto soap_nothing = [&](int c, int) { conns[c]->Send("GET", "/no-such-page", ""); };
  for (auto& conn : conns) conn->Expect(404);
  Result nothing = RunParallel(clients, iterations, 1, soap_nothing);
  for (auto& conn : conns) conn->Expect(200);
  Report("HTTP round trip doing nothing (404), vs retrieve 1 id reference" + on, nothing,
         RunParallel(clients, iterations, 1, pg_retrieve(1)));
  Report("retrieve, 200 ids/call" + on, RunParallel(clients, big, 200, soap_retrieve(200)),
         RunParallel(clients, big, 200, pg_retrieve(200)));
  // SOQL: a one-row query by Id, and a 2,000-row page (QueryOptions batchSize 2000), next to
  // the same SELECTs through libpqxx (the reference reads the same columns in the same order).
  auto soap_query = [&](bool page) {
    return [&, page](int c, int i) {
      std::string soql =
          page ? "SELECT Id, DeveloperName, MasterLabel, CreatedDate FROM ServicePresenceStatus "
                 "ORDER BY DeveloperName LIMIT 2000"
               : "SELECT Id, DeveloperName, MasterLabel, CreatedDate FROM ServicePresenceStatus "
                 "WHERE Id = '" +
                     ids[c][static_cast<size_t>(i) % ids[c].size()] + "'";
      std::string hdr = header + (page ? "<p:QueryOptions><p:batchSize>2000</p:batchSize>"
                                         "</p:QueryOptions>"
                                       : "");
      std::string resp = conns[c]->Post(
          path, Envelope(hdr, "<p:query><p:queryString>" + soql + "</p:queryString></p:query>"));
      if (page ? Texts(resp, "size").empty() : resp.find("DeveloperName") == std::string::npos) {
        throw std::runtime_error("query failed: " + resp.substr(0, 400));
      }
    };
  };
  // The server's page SELECT and, for a full page, its COUNT, as it logs them.
  const std::string from =
      " FROM \"sobj_servicepresencestatus\" t0 WHERE t0.org_id = $1 AND NOT t0.isdeleted";
  for (auto& pg : pgs) {
    const std::string cols =
        "SELECT t0.\"id\", t0.\"developername\", t0.\"masterlabel\", to_char(t0.\"createddate\" "
        "AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')" +
        from;
    pg->prepare("query_id", cols +
                                " AND (t0.\"id\" = $2::text) ORDER BY t0.id LIMIT $3::bigint "
                                "OFFSET $4::bigint");
    pg->prepare("query_page", cols +
                                  " ORDER BY lower(t0.\"developername\") ASC NULLS FIRST, "
                                  "t0.id LIMIT $2::bigint OFFSET $3::bigint");
    pg->prepare("query_count",
                "SELECT count(*) FROM (SELECT 1 AS one" + from + " LIMIT $2::bigint) q");
  }
  auto pg_query = [&](bool page) {
    return [&, page](int c, int i) {
      pqxx::nontransaction w(*pgs[c]);
      pqxx::result rows =
          page ? w.exec_prepared("query_page", org_id, 2000, 0)
               : w.exec_prepared("query_id", org_id, ids[c][static_cast<size_t>(i) % ids[c].size()],
                                 500, 0);
      if (rows.size() == 0) throw std::runtime_error("select found nothing");
      if (page && rows.size() == 2000) w.exec_prepared("query_count", org_id, 2000);
    };
  };
  Report("query by Id, 1 row" + on, RunParallel(clients, iterations, 1, soap_query(false)),
         RunParallel(clients, iterations, 1, pg_query(false)));
  Report("query, 2000-row page" + on, RunParallel(clients, big, 2000, soap_query(true)),
         RunParallel(clients, big, 2000, pg_query(true)));
  // The reference rows are not emulator records: remove them.
  pqxx::work w(*pgs[0]);
  w.exec("DELETE FROM sobj_servicepresencestatus WHERE id LIKE '0N5ref%'");
  w.exec("DELETE FROM sobj_servicepresencestatus WHERE org_id = '00Dref0000000000'");
  w.exec("DELETE FROM omni_change_log WHERE org_id = '00Dref0000000000'");
  w.exec("DELETE FROM omni_change_heads WHERE org_id = '00Dref0000000000'");
  w.commit();
  return 0;
}
