// SessionTx: the sessions, credentials and orgs of a transaction (storage/store.h). Sessions live
// in the database so that several server processes share them; ending one also notifies every
// process (NOTIFY omni_sessions, delivered on commit) so that their session caches forget it.
//
// Thread-safety: belongs to its Tx, which belongs to one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace omni::storage {

struct SessionRow {
  std::string session_id, org_id, user_id;
};

class SessionTx {
 public:
  virtual ~SessionTx() = default;
  virtual void InsertSession(const SessionRow& row) = 0;
  virtual std::optional<SessionRow> FindSession(const std::string& session_id) = 0;
  // Removes the session and, on commit, tells every process (ChangeNotifier's on_sessions_ended).
  virtual void DeleteSession(const std::string& session_id) = 0;
  // The org and user Id for a username/password pair, or nullopt.
  virtual std::optional<std::pair<std::string, std::string>> CheckLogin(
      const std::string& username, const std::string& password) = 0;
  virtual void SetPassword(const std::string& org, const std::string& user_id,
                           const std::string& username, const std::string& password) = 0;
  virtual std::vector<std::string> OrgIds() = 0;
  // When the org was created (epoch seconds), or nullopt for an org the database lacks.
  virtual std::optional<std::int64_t> OrgCreated(const std::string& org) = 0;
  // Serialises org bootstrapping across processes until the transaction ends.
  virtual void LockBootstrap() = 0;
  virtual void InsertOrg(const std::string& org_id, const std::string& name) = 0;
};

}  // namespace omni::storage
