#include "storage/child_process.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

namespace omni::storage::child_process {

namespace {

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

}  // namespace

namespace {

std::vector<char*> CStrings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Runs in the forked child before exec; only async-signal-safe calls (the parent may have
// threads). Gives the child default signal handling (the server may block or ignore signals,
// and both survive exec), closes every descriptor it must not inherit (a leaked listening
// socket would outlive the server inside postgres), moves to / (the caller's working directory
// may be unreadable for the cluster user), and drops root.
void ChildCommonSetup(const Identity* drop_to) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl;
  std::memset(&dfl, 0, sizeof(dfl));
  dfl.sa_handler = SIG_DFL;
  for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2}) {
    sigaction(sig, &dfl, nullptr);
  }
  if (close_range(3, ~0U, 0) != 0) {
    long max_fd = sysconf(_SC_OPEN_MAX);
    for (long fd = 3; fd < (max_fd > 0 ? max_fd : 1024); ++fd) close(static_cast<int>(fd));
  }
  if (chdir("/") != 0) _exit(126);
  if (drop_to != nullptr && drop_to->drop) {
    gid_t gid = drop_to->gid;
    if (setgroups(1, &gid) != 0 || setgid(drop_to->gid) != 0 || setuid(drop_to->uid) != 0) {
      static const char kMsg[] = "could not switch to the cluster user\n";
      ssize_t ignored = write(2, kMsg, sizeof(kMsg) - 1);
      (void)ignored;
      _exit(126);
    }
  }
}

}  // namespace

std::string OneLine(const std::string& text, std::size_t max_lines) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    line.erase(0, line.find_first_not_of(" \t\r"));
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  std::string out;
  std::size_t first = lines.size() > max_lines ? lines.size() - max_lines : 0;
  for (std::size_t i = first; i < lines.size(); ++i) {
    if (!out.empty()) out += " | ";
    out += lines[i];
  }
  if (out.size() > 600) out = "..." + out.substr(out.size() - 600);
  return out.empty() ? "(no output)" : out;
}

std::string LogTail(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "(no log at " + path + ")";
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  std::streamoff start = std::max<std::streamoff>(0, size - 4096);
  in.seekg(start);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return OneLine(text) + " (log: " + path + ")";
}

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Runs argv[0] (an absolute path; no shell, so paths with spaces or quotes are safe) and
// captures its output. drop_to: run as that identity (cluster commands), or nullptr (caller).
ProcResult Run(std::vector<std::string> argv, const Identity* drop_to,
               std::vector<std::string> env) {
  ProcResult result;
  std::vector<char*> cargv = CStrings(argv);
  std::vector<char*> cenv = CStrings(env);
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    result.output = Errno("pipe");
    return result;
  }
  pid_t pid = fork();
  if (pid < 0) {
    result.output = Errno("fork");
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return result;
  }
  if (pid == 0) {
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(pipe_fds[1], 1) < 0 ||
        dup2(pipe_fds[1], 2) < 0) {
      _exit(126);
    }
    ChildCommonSetup(drop_to);
    execve(cargv[0], cargv.data(), cenv.data());
    static const char kMsg[] = "exec failed\n";
    ssize_t ignored = write(2, kMsg, sizeof(kMsg) - 1);
    (void)ignored;
    _exit(127);
  }
  close(pipe_fds[1]);
  char buf[4096];
  for (;;) {
    ssize_t n = read(pipe_fds[0], buf, sizeof(buf));
    if (n > 0) {
      result.output.append(buf, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
  close(pipe_fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return result;  // code stays -1
  }
  result.code = DecodeStatus(status);
  return result;
}

// Starts the postmaster directly rather than through `pg_ctl start`, because pg_ctl hands its
// command line to /bin/sh with the data directory in double quotes, which breaks on paths with
// '"', '$' or '`'. The postmaster gets its own session (a terminal's Ctrl-C goes to the server,
// which stops the cluster in order) and a parent-death signal: if the owning process dies without
// its destructor (SIGKILL), SIGINT asks postgres for a fast, clean shutdown, so no orphaned
// cluster outlives it. Returns the child's pid, or -1 with *error set.
pid_t SpawnPostmaster(std::vector<std::string> argv, const Identity& who,
                      std::vector<std::string> env, const std::string& log_path,
                      std::string* error) {
  std::vector<char*> cargv = CStrings(argv);
  std::vector<char*> cenv = CStrings(env);
  // Opened here, as the caller: the log then sits in data_dir even when the cluster user cannot
  // reach data_dir (the relocated layout).
  int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    *error = Errno("cannot open " + log_path);
    return -1;
  }
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0) {
    *error = Errno("cannot open /dev/null");
    close(log_fd);
    return -1;
  }
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    *error = Errno("fork");
  } else if (pid == 0) {
    if (setsid() < 0 || dup2(null_fd, 0) < 0 || dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0) {
      _exit(126);
    }
    ChildCommonSetup(&who);
    // After the uid change: changing credentials clears the parent-death signal.
    if (prctl(PR_SET_PDEATHSIG, SIGINT) != 0 || getppid() != parent) _exit(126);
    execve(cargv[0], cargv.data(), cenv.data());
    static const char kMsg[] = "exec of postgres failed\n";
    ssize_t ignored = write(2, kMsg, sizeof(kMsg) - 1);
    (void)ignored;
    _exit(127);
  }
  close(log_fd);
  close(null_fd);
  return pid;
}

// True when `who` can search every directory on the way to and including `dir`. Checked by a
// child that really switches to that user, so ACLs and group bits count as the kernel sees them.
bool CanReach(const Identity& who, const std::string& dir) {
  if (!who.drop) return true;
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    ChildCommonSetup(&who);
    _exit(access(dir.c_str(), X_OK) == 0 ? 0 : 1);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return false;
  }
  return DecodeStatus(status) == 0;
}

}  // namespace omni::storage::child_process
