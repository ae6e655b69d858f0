// EmbeddedPostgres: a private PostgreSQL cluster under a data directory, owned by the server.
//
// It is the server's embedded default when no database URL is given: a cluster under
// data_dir/pg that listens only on a Unix socket (no TCP port, so parallel servers and a system
// PostgreSQL never collide), with a database "omni" that user "omni" reaches with trust auth.
// The object's lifetime is the cluster's: destroying it stops the cluster. If the owning process
// dies without running the destructor (SIGKILL, crash), the cluster is told to shut down too
// (parent-death signal), and the next Start on the same data dir recovers or reuses it.
//
// PostgreSQL refuses to run as root, so when the process is root every cluster command runs as
// the unprivileged system user "omni-pg" (created when missing). If that user cannot reach
// data_dir (a parent such as /root is 0700), the cluster and its socket live under
// /var/lib/omni-emulator/<hash of data_dir>/ instead and data_dir/pg is a symlink to it, so no
// permission of the caller's directories is ever loosened.
//
// Thread-safety: not thread-safe; create and destroy it from the main thread (the parent-death
// signal is tied to the thread that started the cluster).
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

namespace omni::storage {

class EmbeddedPostgres {
 public:
  // Initialises the cluster under data_dir/pg (initdb) if it does not exist yet, otherwise reuses
  // it; starts it on a Unix socket in data_dir/run (or reuses a server already running on that
  // cluster, which is then still stopped by the destructor); waits until it accepts connections;
  // and creates the database "omni" if missing. data_dir is created when missing.
  // On success returns the running cluster. On failure returns nullptr, sets *error to a one-line
  // reason ("initdb failed: ...", "postgres did not start: ...", ...) and leaves no server that
  // this call started running.
  static std::unique_ptr<EmbeddedPostgres> Start(const std::string& data_dir, std::string* error);

  // Stops the cluster (pg_ctl stop -m fast, then -m immediate if that fails) and waits for it.
  ~EmbeddedPostgres();

  EmbeddedPostgres(const EmbeddedPostgres&) = delete;
  EmbeddedPostgres& operator=(const EmbeddedPostgres&) = delete;

  // A libpq connection URI for the running cluster, e.g.
  // "postgresql:///omni?host=/abs/path/run&user=omni" (the host path is percent-encoded).
  const std::string& url() const { return url_; }

 private:
  EmbeddedPostgres() = default;

  std::string bin_dir_;
  std::string cluster_dir_;  // the real directory handed to postgres -D
  std::string run_dir_;      // the socket directory
  std::string url_;
  bool as_cluster_user_ = false;  // run cluster commands as "omni-pg" (we are root)
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  pid_t postmaster_pid_ = -1;     // our child when we started the postmaster, else -1
  bool stop_on_destroy_ = false;  // a server runs that this object owns
};

}  // namespace omni::storage
