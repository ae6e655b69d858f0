// Child processes for the embedded PostgreSQL: running a command (no shell, so any path is
// safe) as the caller or as the unprivileged cluster user, starting the postmaster in its own
// session with a parent-death signal, and checking what the cluster user can reach.
// Internal to storage/. Thread-safety: each call forks; only async-signal-safe work runs between
// fork and exec, so calling from a multi-threaded process is safe.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

namespace omni::storage::child_process {

// Who runs the cluster's commands (initdb, pg_ctl, postgres). Clients (psql, pg_isready,
// createdb) always run as the calling user, which proves the URL works for the caller too.
struct Identity {
  bool drop = false;  // true when we are root: switch to uid/gid before exec
  uid_t uid = 0;
  gid_t gid = 0;
};

struct ProcResult {
  int code = -1;       // exit code; 128+N for death by signal N; -1 when it could not be run
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv[0] (an absolute path) with env and captures stdout and stderr. drop_to: run as that
// identity (cluster commands), or nullptr (the caller). code is -1 when it could not be run.
ProcResult Run(std::vector<std::string> argv, const Identity* drop_to,
               std::vector<std::string> env);

// Starts the postmaster with output appended to log_path. Returns its pid, or -1 with *error.
pid_t SpawnPostmaster(std::vector<std::string> argv, const Identity& who,
                      std::vector<std::string> env, const std::string& log_path,
                      std::string* error);

// True when `who` can search every directory on the way to and including `dir`.
bool CanReach(const Identity& who, const std::string& dir);

// Command output or a log tail as one line: its last few non-empty lines, joined with " | ".
std::string OneLine(const std::string& text, std::size_t max_lines = 3);

// The last lines of the log at path as one line, naming the log ("(no log at ...)" if none).
std::string LogTail(const std::string& path);

// An exit status as a number: the exit code, 128+N for death by signal N, -1 otherwise.
int DecodeStatus(int status);

}  // namespace omni::storage::child_process
