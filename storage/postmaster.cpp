#include "storage/postmaster.h"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace omni::storage {
namespace {

using child_process::LogTail;
using child_process::ProcResult;
using child_process::Run;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr auto kPollInterval = std::chrono::milliseconds(50);
// A fast shutdown ends the backends and writes one checkpoint: tens of milliseconds on an idle
// cluster, longer only with much unwritten data (and fsync on). Then immediate, then SIGKILL.
constexpr auto kFastShutdownWait = std::chrono::seconds(5);
constexpr auto kImmediateShutdownWait = std::chrono::seconds(3);
constexpr auto kMaxRestartPause = std::chrono::seconds(30);

// A pidfd for pid, readable once it exits, or -1 (kernels before 5.3). Through syscall():
// glibc 2.36's <sys/pidfd.h> declares pidfd_open without C linkage, so C++ cannot link it.
int OpenPidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  return -1;
#endif
}

// The state letter of /proc/<pid>/stat ('R', 'S', 'Z' for a zombie, ...), or 0 when gone.
char ProcState(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(in, text);
  std::size_t close = text.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos || close + 2 >= text.size()) return 0;
  return text[close + 2];
}

// True when pid no longer runs: no such process, or only a zombie waiting for its parent (an
// adopted server's parent may be a container's init that never reaps).
bool ProcessGone(pid_t pid) {
  if (kill(pid, 0) != 0 && errno == ESRCH) return true;
  char state = ProcState(pid);
  return state == 0 || state == 'Z' || state == 'X';
}

// True when pid is a running postgres whose working directory is cluster_dir (every postgres
// process moves into its data directory): the lock file naming it is then not stale. A link we
// may not read counts as a match, so a lock is never removed on a guess.
bool IsLivePostgresOf(pid_t pid, const std::string& cluster_dir) {
  if (pid <= 0 || ProcessGone(pid)) return false;
  const std::string proc = "/proc/" + std::to_string(pid);
  char target[4096];
  ssize_t n = readlink((proc + "/exe").c_str(), target, sizeof(target) - 1);
  if (n >= 0) {
    target[n] = '\0';
    if (fs::path(target).filename().string().rfind("postgres", 0) != 0) return false;
  } else if (errno == ENOENT) {
    return false;  // exited meanwhile
  }
  n = readlink((proc + "/cwd").c_str(), target, sizeof(target) - 1);
  if (n >= 0) {
    target[n] = '\0';
    std::error_code ec;
    fs::path ours = fs::canonical(cluster_dir, ec);
    if (!ec && fs::path(target) != ours) return false;
  }
  return true;
}

// The pid on the first line of a postgres lock file, or 0 (no file, or a standalone backend's
// negative pid, which we leave alone).
pid_t PidFromLockFile(const std::string& path) {
  std::ifstream in(path);
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return 0;
  return static_cast<pid_t>(pid);
}

// True when a live process other than a zombie works in cluster_dir: an orphaned backend of a
// killed postmaster (every postgres process moves into its data directory).
bool AnyProcessIn(const std::string& cluster_dir) {
  std::error_code ec;
  const fs::path ours = fs::canonical(cluster_dir, ec);
  if (ec) return false;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    char target[4096];
    ssize_t n = readlink((entry.path() / "cwd").c_str(), target, sizeof(target) - 1);
    if (n < 0) continue;
    target[n] = '\0';
    if (fs::path(target) == ours &&
        !ProcessGone(static_cast<pid_t>(std::strtol(name.c_str(), nullptr, 10)))) {
      return true;
    }
  }
  return false;
}

// postgres ignores a lock file by itself when its pid is gone, and then still reads the old
// shared-memory id from postmaster.pid to refuse starting while backends of the dead server run:
// such a lock is left to postgres. But when the same pid is a zombie nobody reaps or, after a
// reboot, some unrelated process, postgres would refuse to start ("lock file already exists");
// such a lock is removed, once no process of the old server is left on the cluster.
void RemoveStaleLock(const std::string& path, const std::string& cluster_dir) {
  pid_t pid = PidFromLockFile(path);
  if (pid <= 0 || (kill(pid, 0) != 0 && errno == ESRCH)) return;
  if (IsLivePostgresOf(pid, cluster_dir) || AnyProcessIn(cluster_dir)) return;
  unlink(path.c_str());
}

// When this process is PID 1 of a container or a child subreaper, the backends of a killed
// postmaster become our children as they lose their parent, and would stay zombies forever.
// Reaps the exited children named postgres other than `keep`; every other child of ours (a
// command that Run is still waiting for) is left alone, and so is any process of another parent.
// Returns true when such a child still runs (to be reaped by a later call).
bool ReapOrphanedBackends(pid_t keep) {
  bool left = false;
  const pid_t self = getpid();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::string text;
    std::getline(in, text);
    std::size_t open = text.find('(');
    std::size_t close = text.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close + 2 >= text.size()) {
      continue;
    }
    char state = text[close + 2];
    long ppid = std::strtol(text.c_str() + close + 3, nullptr, 10);
    pid_t pid = static_cast<pid_t>(std::strtol(name.c_str(), nullptr, 10));
    if (ppid != self || pid == keep || text.compare(open + 1, close - open - 1, "postgres") != 0) {
      continue;
    }
    if (state == 'Z') {
      waitpid(pid, nullptr, WNOHANG);
    } else {
      left = true;
    }
  }
  return left;
}

std::string DescribeExit(int status) {
  if (WIFSIGNALED(status)) {
    return std::string("was killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
           strsignal(WTERMSIG(status)) + ")";
  }
  if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
  return "exited";
}

// One line on stderr, written at once so that lines of other threads do not interleave.
void Report(const std::string& line) {
  std::string text = "omni-emulator: embedded PostgreSQL: " + line + "\n";
  ssize_t ignored = write(2, text.data(), text.size());
  (void)ignored;
}

}  // namespace

Postmaster::Postmaster(Config config) : config_(std::move(config)) {
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

Postmaster::~Postmaster() {
  Stop();
  if (wake_fd_ >= 0) close(wake_fd_);
}

bool Postmaster::Ready() const {
  std::vector<std::string> cmd = {config_.bin_dir + "/pg_isready",
                                  "-q",
                                  "-h",
                                  config_.run_dir,
                                  "-p",
                                  config_.port,
                                  "-U",
                                  config_.db_user,
                                  "-d",
                                  "postgres",
                                  "-t",
                                  "3"};
  return Run(cmd, nullptr, config_.caller_env).code == 0;
}

bool Postmaster::Spawn(std::string* error) {
  std::vector<std::string> argv = {config_.bin_dir + "/postgres", "-D", config_.cluster_dir, "-p",
                                   config_.port};
  for (const std::string& setting : config_.settings) argv.insert(argv.end(), {"-c", setting});
  RemoveStaleLock(config_.cluster_dir + "/postmaster.pid", config_.cluster_dir);
  RemoveStaleLock(config_.run_dir + "/.s.PGSQL." + config_.port + ".lock", config_.cluster_dir);
  std::string spawn_error;
  pid_t pid = child_process::SpawnPostmaster(argv, config_.who, config_.cluster_env,
                                             config_.log_path, &spawn_error);
  if (pid < 0) {
    *error = "cannot start postgres: " + spawn_error;
    return false;
  }
  pid_ = pid;
  is_child_ = true;
  pidfd_ = OpenPidfd(pid);  // -1 on kernels before 5.3: then WaitForExit polls
  return true;
}

void Postmaster::Adopt() {
  pid_t pid = PidFromLockFile(config_.cluster_dir + "/postmaster.pid");
  if (!IsLivePostgresOf(pid, config_.cluster_dir)) return;
  pid_ = pid;
  is_child_ = false;
  pidfd_ = OpenPidfd(pid);
}

void Postmaster::Forget() {
  if (pidfd_ >= 0) close(pidfd_);
  pidfd_ = -1;
  pid_ = -1;
  is_child_ = false;
}

bool Postmaster::SleepUnlessStopping(std::chrono::milliseconds d) {
  if (wake_fd_ < 0) {
    const auto until = Clock::now() + d;
    while (!stopping_.load() && Clock::now() < until) {
      std::this_thread::sleep_for(std::min<Clock::duration>(kPollInterval, until - Clock::now()));
    }
  } else if (!stopping_.load()) {
    pollfd fd = {wake_fd_, POLLIN, 0};
    poll(&fd, 1, static_cast<int>(d.count()));
  }
  return stopping_.load();
}

bool Postmaster::BringUp(Clock::time_point deadline, int max_spawns, std::string* error) {
  int spawns = 0;
  std::string last_failure;
  for (;;) {
    if (stopping_.load()) {
      *error = "stopping";
      return false;
    }
    if (pid_ > 0 && is_child_) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        Forget();
        last_failure = LogTail(config_.log_path);
        if (spawns >= max_spawns) {
          *error = "postgres did not start: " + last_failure;
          return false;
        }
        // Typically the previous server's last backends still hold its shared memory; they
        // notice their postmaster is gone within moments.
        if (SleepUnlessStopping(kPollInterval * 2 * spawns)) continue;
      }
    } else if (pid_ > 0 && ProcessGone(pid_)) {
      Forget();  // the server we meant to adopt went away: start our own
    }
    if (Ready()) {
      if (pid_ < 0) Adopt();
      if (pid_ > 0) {
        healthy_.store(true, std::memory_order_release);
        return true;
      }
    }
    if (pid_ < 0) {
      pid_t other = PidFromLockFile(config_.cluster_dir + "/postmaster.pid");
      if (other > 0 && IsLivePostgresOf(other, config_.cluster_dir)) {
        // Another process's server on this cluster, starting or (after its owner was killed)
        // shutting down: adopt it once it accepts connections, or start ours once it is gone.
        pid_ = other;
        is_child_ = false;
        pidfd_ = OpenPidfd(other);
      } else {
        if (!Spawn(error)) return false;
        ++spawns;
      }
    }
    if (Clock::now() > deadline) {
      *error = "postgres did not accept connections on " + config_.run_dir + ": " +
               (last_failure.empty() ? LogTail(config_.log_path) : last_failure);
      if (is_child_) {
        if (!SignalAndWait(SIGQUIT, kImmediateShutdownWait))
          SignalAndWait(SIGKILL, kFastShutdownWait);
      }
      Forget();
      return false;
    }
    SleepUnlessStopping(kPollInterval);
  }
}

Postmaster::Exit Postmaster::WaitForExit() {
  for (;;) {
    if (stopping_.load()) return Exit::kStopping;
    if (pid_ < 0) return Exit::kExited;
    pollfd fds[2] = {{pidfd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    // Without a pidfd or an eventfd the exit is polled for instead; while orphaned backends of
    // an earlier server are still our children, they are looked for every second.
    int timeout = (pidfd_ >= 0 && wake_fd_ >= 0) ? -1 : static_cast<int>(kPollInterval.count());
    if (orphans_left_ && timeout < 0) timeout = 1000;
    if (poll(fds, 2, timeout) < 0 && errno != EINTR) {
      std::this_thread::sleep_for(kPollInterval);
    }
    if (orphans_left_) orphans_left_ = ReapOrphanedBackends(pid_);
    if (stopping_.load()) return Exit::kStopping;
    if (is_child_) {
      int status = 0;
      pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        Report("the server (pid " + std::to_string(pid_) + ") " + DescribeExit(status) +
               "; restarting it on the same cluster");
        return Exit::kExited;
      }
      if (r < 0 && errno == ECHILD) return Exit::kExited;  // reaped elsewhere: gone all the same
    } else if (ProcessGone(pid_)) {
      Report("the server (pid " + std::to_string(pid_) + ") is gone; starting our own");
      return Exit::kExited;
    }
  }
}

void Postmaster::Supervise() {
  while (WaitForExit() == Exit::kExited) {
    healthy_.store(false, std::memory_order_release);
    Forget();
    const auto down_since = Clock::now();
    auto pause = std::chrono::seconds(1);
    for (;;) {
      std::string error;
      if (BringUp(Clock::time_point::max(), 5, &error)) {
        char took[32];
        std::snprintf(took, sizeof(took), "%.1f",
                      std::chrono::duration<double>(Clock::now() - down_since).count());
        Report("the server accepts connections again (pid " + std::to_string(pid_) + ", " + took +
               " s after it went down)");
        orphans_left_ = ReapOrphanedBackends(pid_);
        break;
      }
      if (stopping_.load()) return;
      Report("restart failed: " + error + "; trying again in " + std::to_string(pause.count()) +
             " s");
      if (SleepUnlessStopping(pause)) return;
      pause = std::min<std::chrono::seconds>(pause * 2, kMaxRestartPause);
    }
  }
}

void Postmaster::StartSupervisor() {
  if (supervisor_.joinable() || stopping_.load()) return;
  // The thread inherits the mask in force when it is created: block everything for it, so that
  // SIGINT/SIGTERM reach the server's own signal handling and never this thread.
  sigset_t all;
  sigset_t previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  supervisor_ = std::thread([this] { Supervise(); });
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

bool Postmaster::SignalAndWait(int sig, std::chrono::milliseconds timeout) {
  if (kill(pid_, sig) != 0 && errno != ESRCH) return false;
  const auto until = Clock::now() + timeout;
  for (;;) {
    if (is_child_) {
      pid_t r = waitpid(pid_, nullptr, WNOHANG);
      if (r == pid_ || (r < 0 && errno == ECHILD)) return true;
    } else if (ProcessGone(pid_)) {
      return true;
    }
    const auto now = Clock::now();
    if (now >= until) return false;
    auto step = std::min<Clock::duration>(std::chrono::milliseconds(5), until - now);
    if (pidfd_ >= 0) {
      pollfd fd = {pidfd_, POLLIN, 0};
      poll(&fd, 1,
           static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(step).count()) +
               1);
    } else {
      std::this_thread::sleep_for(step);
    }
  }
}

void Postmaster::Stop() {
  stopping_.store(true);
  if (wake_fd_ >= 0) {
    std::uint64_t one = 1;
    ssize_t ignored = write(wake_fd_, &one, sizeof(one));
    (void)ignored;
  }
  if (supervisor_.joinable()) supervisor_.join();
  healthy_.store(false, std::memory_order_release);
  if (pid_ < 0) return;
  // SIGINT is PostgreSQL's fast shutdown; SIGQUIT its immediate one (crash recovery at the next
  // start, which the WAL makes safe).
  if (!SignalAndWait(SIGINT, kFastShutdownWait) &&
      !SignalAndWait(SIGQUIT, kImmediateShutdownWait)) {
    SignalAndWait(SIGKILL, kFastShutdownWait);
  }
  Forget();
  ReapOrphanedBackends(-1);
}

}  // namespace omni::storage
