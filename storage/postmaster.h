// Postmaster: runs, watches and stops the postgres server process of one embedded cluster.
//
// EmbeddedPostgres prepares the cluster (layout, initdb, database) and hands this class the
// command line; this class owns the process from then on:
//   - BringUp starts the server (or adopts one already running on the cluster, left by a killed
//     owner) and waits until it accepts connections. A killed cluster never blocks the next
//     start: a lock file (postmaster.pid, or the socket's .lock) whose pid is gone is left to
//     postgres, which ignores it but still uses it to wait for the dead server's last backends;
//     one whose pid is a zombie or some other process is removed once no backend is left.
//   - StartSupervisor starts one thread that waits for the server to exit (pidfd, so an exit is
//     seen at once), reaps it (no zombie), marks the cluster unhealthy and brings it up again on
//     the same data directory, where PostgreSQL's crash recovery replays the WAL. Failed restarts
//     are retried with a growing pause (up to 30 s) until one works or Stop is called.
//   - When this process is PID 1 (a container) or a subreaper, the backends of a killed
//     postmaster become its children; the supervisor reaps them too, so no zombie piles up.
//   - Stop (and the destructor) asks for a fast shutdown (SIGINT straight to the postmaster,
//     which on an idle cluster takes tens of milliseconds), escalates to an immediate shutdown
//     (SIGQUIT) and finally SIGKILL if the server does not go, and reaps it.
//
// Parent-death signal: a postmaster spawned by this class gets SIGINT (a fast shutdown) when the
// THREAD that spawned it exits, which is how a SIGKILLed emulator takes its cluster down with it.
// BringUp called directly spawns from the calling thread, so call it from a thread that lives as
// long as this object (the main thread); restarts are spawned from the supervisor thread, which
// lives until Stop. Stop joins that thread before it signals the server, so at that moment the
// kernel may send the same fast-shutdown SIGINT first; either way the server stops the same way.
// A server adopted rather than spawned has no parent-death tie to this process.
//
// Thread-safety: Healthy() may be called from any thread at any time. BringUp, StartSupervisor
// and Stop are called by the owner, one at a time (not concurrently with each other); the
// supervisor thread is internal. Internal to storage/.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "storage/child_process.h"

namespace omni::storage {

class Postmaster {
 public:
  struct Config {
    std::string bin_dir;                   // holds postgres and pg_isready
    std::string cluster_dir;               // postgres -D
    std::string run_dir;                   // the socket directory
    std::string port;                      // names the socket file
    std::string db_user;                   // role pg_isready connects as
    std::string log_path;                  // the server's stdout and stderr are appended here
    child_process::Identity who;           // runs postgres
    std::vector<std::string> cluster_env;  // environment of postgres
    std::vector<std::string> caller_env;   // environment of pg_isready (runs as the caller)
    std::vector<std::string> settings;     // "name=value", each passed as -c
  };

  explicit Postmaster(Config config);
  ~Postmaster();  // Stop()

  Postmaster(const Postmaster&) = delete;
  Postmaster& operator=(const Postmaster&) = delete;

  // Until the socket accepts connections or the deadline: adopts a server already running on
  // the cluster, or starts one (at most max_spawns times when it keeps exiting, e.g. while the
  // dead server's last backends still hold its shared memory). On failure returns false with a
  // one-line *error ("postgres did not start: <log tail>") and leaves no server it spawned.
  bool BringUp(std::chrono::steady_clock::time_point deadline, int max_spawns, std::string* error);

  // Starts the supervisor thread (see above); a second call does nothing. The thread is
  // created with every signal blocked, so it never takes a signal meant for the server's own
  // signal handling.
  void StartSupervisor();

  // True from a successful BringUp until the server is seen to exit; false again until a
  // restart accepts connections. It follows the postmaster process: the short crash restart
  // that PostgreSQL does by itself when one backend dies is not reflected. Without a
  // supervisor nobody watches the process, so it stays true after a successful BringUp.
  bool Healthy() const { return healthy_.load(std::memory_order_acquire); }

  // Stops the supervisor, then the server (fast, then immediate, then SIGKILL) and reaps it.
  // Idempotent. Returns when no server this object ran or adopted is left.
  void Stop();

 private:
  enum class Exit { kNone, kExited, kStopping };

  bool Ready() const;
  bool Spawn(std::string* error);
  void Adopt();
  Exit WaitForExit();
  void Forget();
  bool SleepUnlessStopping(std::chrono::milliseconds d);
  void Supervise();
  bool SignalAndWait(int sig, std::chrono::milliseconds timeout);

  const Config config_;
  std::atomic<bool> healthy_{false};
  std::atomic<bool> stopping_{false};
  int wake_fd_ = -1;  // eventfd, readable once Stop began: ends every wait of the supervisor

  // The server being watched. Written only by the thread that runs BringUp (the owner before
  // StartSupervisor, the supervisor after), read by Stop after the supervisor has been joined.
  pid_t pid_ = -1;
  bool is_child_ = false;      // spawned by us (reaped with waitpid) rather than adopted
  int pidfd_ = -1;             // pidfd of pid_, or -1 where the kernel has none
  bool orphans_left_ = false;  // backends of a dead server still run as our children (PID 1)

  std::thread supervisor_;
};

}  // namespace omni::storage
