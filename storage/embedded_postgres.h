// EmbeddedPostgres: a private PostgreSQL cluster under a data directory, owned by the server.
//
// It is the server's embedded default when no database URL is given: a cluster under
// data_dir/pg that listens only on a Unix socket (no TCP port, so parallel servers and a system
// PostgreSQL never collide), with a database "omni" that user "omni" reaches with trust auth.
// The object's lifetime is the cluster's: destroying it stops the cluster. If the owning process
// dies without running the destructor (SIGKILL, crash), the cluster is told to shut down too
// (parent-death signal, a fast shutdown), and the next Start on the same data dir reuses it.
//
// PostgreSQL refuses to run as root, so when the process is root every cluster command runs as
// the unprivileged system user "omni-pg" (created when missing). If that user cannot reach
// data_dir (a parent such as /root is 0700), the cluster and its socket live under
// /var/lib/omni-emulator/<hash of data_dir>/ instead and data_dir/pg is a symlink to it, so no
// permission of the caller's directories is ever loosened.
//
// Supervision: after StartSupervisor, a postmaster that dies (SIGKILL, a crash) is reaped at
// once and started again on the same cluster, where PostgreSQL's crash recovery replays the WAL;
// Healthy() is false from the death until the restarted server accepts connections. Meanwhile
// calls fail fast: a connection to the dead socket is refused at once, the server's own pooled
// connections are closed by their backends when those see the postmaster gone, and the store
// replaces broken connections on their next use (see storage/postmaster.h for the details).
//
// Durability (what a call answered with success survives), set once at Start:
//   kTestSuite (the default): fsync=off, full_page_writes=off, synchronous_commit=on. A commit
//     returns after its WAL was written to the kernel (write(), no fsync), so it survives a
//     SIGKILL of the emulator and of the postmaster (the kernel still holds and later writes
//     the data; crash recovery replays it), but NOT a power loss or an operating-system crash,
//     after which the cluster may lose recent commits or be corrupt (then delete data_dir/pg).
//     PostgreSQL's docs: with fsync off "crashes of the database software itself are not a
//     risk factor", only an operating-system crash is; full_page_writes guards against pages
//     torn by an operating-system crash or power failure. A page could in theory also be torn by
//     SIGKILLing a backend in the middle of writing it (the OOM killer); killing the postmaster
//     does not do that, its backends exit by themselves.
//   kFull: fsync=on, full_page_writes=on, synchronous_commit=on: a commit returns after its WAL
//     was fsync'd, so it also survives a power loss (on storage that honours fsync).
// Both are passed on the postgres command line, which overrides postgresql.conf.
//
// Thread-safety: Healthy() and url() may be called from any thread. Start, StartSupervisor and
// the destructor are called by the owner from one thread that lives at least as long as the
// object (the main thread): the first postmaster's parent-death signal is tied to the thread
// that called Start (restarts are tied to the supervisor thread, which lives until the
// destructor).
#pragma once

#include <memory>
#include <string>

namespace omni::storage {

class Postmaster;

// How much a committed call survives; see the header comment.
enum class Durability { kTestSuite, kFull };

// "test-suite" or "full" (the --durability option's values). False for anything else.
bool ParseDurability(const std::string& text, Durability* out);

class EmbeddedPostgres {
 public:
  // Initialises the cluster under data_dir/pg (initdb) if it does not exist yet, otherwise reuses
  // it; starts it on a Unix socket in data_dir/run with the given durability settings (or adopts
  // a server already running on that cluster, which keeps the settings it was started with and
  // is still stopped by the destructor); waits until it accepts connections; and creates the
  // database "omni" if missing. data_dir is created when missing. A stale postmaster.pid of a
  // killed cluster does not stand in the way.
  // On success returns the running cluster. On failure returns nullptr, sets *error to a one-line
  // reason ("initdb failed: ...", "postgres did not start: ...", ...) and leaves no server that
  // this call started running.
  static std::unique_ptr<EmbeddedPostgres> Start(const std::string& data_dir, Durability durability,
                                                 std::string* error);

  // Starts watching the postmaster from a supervisor thread that restarts it whenever it dies,
  // with a growing pause (1 s doubling to 30 s) between failed attempts, until the destructor.
  // A second call does nothing. Without it a dead postmaster is not restarted (nor reaped until
  // the destructor) and Healthy() stays true.
  void StartSupervisor();

  // False from the postmaster's death until its restart accepts connections (and after the
  // destructor began). Cheap (one atomic load): fit for a health endpoint.
  bool Healthy() const;

  // Stops the supervisor, then the cluster: SIGINT (fast shutdown) to the postmaster, SIGQUIT
  // (immediate) after 5 s, SIGKILL after 3 more; reaps it. Measured on an idle cluster: about
  // 25 ms with kTestSuite; about 100 ms with kFull, whose shutdown checkpoint fsyncs what was
  // written since the last one (up to about a second right after initdb).
  ~EmbeddedPostgres();

  EmbeddedPostgres(const EmbeddedPostgres&) = delete;
  EmbeddedPostgres& operator=(const EmbeddedPostgres&) = delete;

  // A libpq connection URI for the running cluster, e.g.
  // "postgresql:///omni?host=/abs/path/run&user=omni" (the host path is percent-encoded).
  const std::string& url() const { return url_; }

 private:
  EmbeddedPostgres() = default;

  std::string url_;
  std::unique_ptr<Postmaster> postmaster_;
};

}  // namespace omni::storage
