#include "storage/embedded_postgres.h"

#include <fcntl.h>
#include <grp.h>
#include <locale.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "storage/child_process.h"

extern char** environ;

namespace omni::storage {
namespace {

using child_process::CanReach;
using child_process::Identity;
using child_process::ProcResult;
using child_process::Run;
using child_process::SpawnPostmaster;

namespace fs = std::filesystem;

constexpr char kClusterUser[] = "omni-pg";  // system user that runs the cluster when we are root
constexpr char kDbUser[] = "omni";          // superuser created by initdb; trust auth
constexpr char kDbName[] = "omni";
constexpr char kPort[] = "5432";  // only names the socket file; there is no TCP listener
constexpr char kRelocationRoot[] = "/var/lib/omni-emulator";
// sockaddr_un.sun_path holds 108 bytes including the NUL, and postgres appends "/.s.PGSQL.5432".
constexpr std::size_t kMaxSocketDirLen = 90;
constexpr auto kStartTimeout = std::chrono::seconds(90);
constexpr auto kPollInterval = std::chrono::milliseconds(100);

// Turns command output or a log tail into one line: its last few non-empty lines, joined.
std::string OneLine(const std::string& text, std::size_t max_lines = 3) {
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

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// FNV-1a: a stable name for per-data-dir locations (std::hash is not stable across builds).
std::string StableHash(const std::string& s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

bool IsExecutable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

// The environment handed to children: the caller's, minus the variables that would redirect
// libpq or postgres (PGHOST, PGPORT, PGDATA, ...) or change their locale, so that every command
// acts on exactly the cluster and socket named on its command line.
std::vector<std::string> ChildEnv(const Identity& who, bool as_cluster_user, const char* locale) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string kv = *e;
    std::string key = kv.substr(0, kv.find('='));
    if (key.rfind("PG", 0) == 0 || key.rfind("LC_", 0) == 0 || key == "LANG" || key == "LANGUAGE") {
      continue;
    }
    if (as_cluster_user && who.drop && (key == "HOME" || key == "USER" || key == "LOGNAME")) {
      continue;
    }
    env.push_back(kv);
  }
  env.push_back(std::string("LC_ALL=") + locale);
  if (as_cluster_user && who.drop) {
    env.push_back("HOME=/");
    env.push_back(std::string("USER=") + kClusterUser);
    env.push_back(std::string("LOGNAME=") + kClusterUser);
  }
  return env;
}

// `pg_config --bindir` when pg_config is on PATH and that directory has initdb; otherwise the
// highest /usr/lib/postgresql/<major>/bin with initdb (Debian's layout; initdb is not on PATH).
std::string FindBinDir(const std::vector<std::string>& env) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    std::string pg_config = dir + "/pg_config";
    if (!IsExecutable(pg_config)) continue;
    ProcResult r = Run({pg_config, "--bindir"}, nullptr, env);
    std::string bin = r.output;
    while (!bin.empty() && (bin.back() == '\n' || bin.back() == '\r')) bin.pop_back();
    if (r.code == 0 && !bin.empty() && IsExecutable(bin + "/initdb")) return bin;
    break;  // the first pg_config on PATH is the one the user meant
  }
  std::string best;
  long best_major = -1;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    std::string name = entry.path().filename().string();
    char* end = nullptr;
    long major = std::strtol(name.c_str(), &end, 10);
    if (end == name.c_str()) continue;
    std::string bin = entry.path().string() + "/bin";
    if (major > best_major && IsExecutable(bin + "/initdb")) {
      best_major = major;
      best = bin;
    }
  }
  return best;
}

// C.UTF-8 is built into glibc >= 2.35; older or minimal systems may only have C.
const char* ClusterLocale() {
  locale_t loc = newlocale(LC_ALL_MASK, "C.UTF-8", static_cast<locale_t>(0));
  if (loc == static_cast<locale_t>(0)) return "C";
  freelocale(loc);
  return "C.UTF-8";
}

bool LookUpUser(const char* name, Identity* who) {
  std::vector<char> buf(16384);
  struct passwd pw;
  struct passwd* found = nullptr;
  if (getpwnam_r(name, &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
    return false;
  }
  who->drop = true;
  who->uid = pw.pw_uid;
  who->gid = pw.pw_gid;
  return true;
}

// Finds or creates the unprivileged system user that runs the cluster when we are root.
bool EnsureClusterUser(const std::vector<std::string>& env, Identity* who, std::string* error) {
  if (LookUpUser(kClusterUser, who)) return true;
  std::string useradd = IsExecutable("/usr/sbin/useradd") ? "/usr/sbin/useradd" : "/sbin/useradd";
  std::string nologin = IsExecutable("/usr/sbin/nologin") ? "/usr/sbin/nologin" : "/bin/false";
  ProcResult r = Run({useradd, "--system", "--no-create-home", "--shell", nologin, kClusterUser},
                     nullptr, env);
  // Looked up again whatever useradd said: a concurrent Start may have created it first.
  if (LookUpUser(kClusterUser, who)) return true;
  *error = std::string("cannot create system user ") + kClusterUser + " (needed because " +
           "PostgreSQL refuses to run as root): " + OneLine(r.output);
  return false;
}

// Creates `dir` if missing and makes it a real directory with `mode`, owned by the cluster user
// when we are root. Refuses a symlink or a directory owned by a stranger (matters for the
// shared /tmp fallback of the socket directory).
bool PrepareDir(const std::string& dir, mode_t mode, const Identity& who, std::string* error) {
  if (mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) {
    *error = Errno("cannot create " + dir);
    return false;
  }
  struct stat st;
  if (lstat(dir.c_str(), &st) != 0) {
    *error = Errno("cannot stat " + dir);
    return false;
  }
  if (!S_ISDIR(st.st_mode)) {
    *error = dir + " exists and is not a directory";
    return false;
  }
  uid_t owner = who.drop ? who.uid : geteuid();
  if (st.st_uid != owner && st.st_uid != geteuid()) {
    *error = dir + " is owned by another user (uid " + std::to_string(st.st_uid) + ")";
    return false;
  }
  if (who.drop && (st.st_uid != who.uid || st.st_gid != who.gid) &&
      chown(dir.c_str(), who.uid, who.gid) != 0) {
    *error = Errno("cannot chown " + dir);
    return false;
  }
  if ((st.st_mode & 07777) != mode && chmod(dir.c_str(), mode) != 0) {
    *error = Errno("cannot chmod " + dir);
    return false;
  }
  return true;
}

// postgres refuses a data directory not owned by its user. A cluster made by an earlier run
// (e.g. before omni-pg was recreated with another uid) is handed over whole.
bool OwnClusterTree(const std::string& dir, const Identity& who, std::string* error) {
  struct stat st;
  if (!who.drop || lstat(dir.c_str(), &st) != 0 || st.st_uid == who.uid) return true;
  std::error_code ec;
  if (lchown(dir.c_str(), who.uid, who.gid) != 0) {
    *error = Errno("cannot chown " + dir);
    return false;
  }
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (lchown(it->path().c_str(), who.uid, who.gid) != 0) {
      *error = Errno("cannot chown " + it->path().string());
      return false;
    }
  }
  if (ec) {
    *error = "cannot walk " + dir + ": " + ec.message();
    return false;
  }
  return true;
}

// The pid in postmaster.pid, or 0.
pid_t PidFromLockFile(const std::string& cluster_dir) {
  std::ifstream in(cluster_dir + "/postmaster.pid");
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return 0;
  return static_cast<pid_t>(pid);
}

// After a reboot or a container restart the pid in a stale postmaster.pid may belong to some
// unrelated live process; pg_ctl and postgres would then both believe a server runs. A pid whose
// executable is not postgres is therefore treated as stale.
bool PidIsSomethingElse(pid_t pid) {
  char link[64];
  std::snprintf(link, sizeof(link), "/proc/%d/exe", static_cast<int>(pid));
  char target[4096];
  ssize_t n = readlink(link, target, sizeof(target) - 1);
  if (n < 0) return errno == ENOENT;  // gone; EACCES: cannot tell, assume it is postgres
  target[n] = '\0';
  std::string base = fs::path(target).filename().string();
  return base.rfind("postgres", 0) != 0;
}

// Relocated clusters whose data_dir is gone (a test's temporary directory, say) would otherwise
// pile up under /var/lib/omni-emulator, tens of MB each. A home is removed when the data_dir
// recorded in its data_dir.txt no longer links to it and its cluster is not running.
void CollectOrphans(const std::string& bin_dir, const Identity& who,
                    const std::vector<std::string>& env, const std::string& own_home) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kRelocationRoot, ec)) {
    const std::string home = entry.path().string();
    const std::string name = entry.path().filename().string();
    if (home == own_home || name.size() != 16 ||
        name.find_first_not_of("0123456789abcdef") != std::string::npos) {
      continue;
    }
    std::ifstream in(home + "/data_dir.txt");
    std::string data_dir;
    if (!std::getline(in, data_dir) || data_dir.empty()) continue;  // being set up, or foreign
    std::error_code link_ec;
    fs::path target = fs::read_symlink(data_dir + "/pg", link_ec);
    if (!link_ec && target == fs::path(home + "/pg")) continue;
    if (Run({bin_dir + "/pg_ctl", "status", "-D", home + "/pg"}, &who, env).code == 0) continue;
    std::error_code rm_ec;
    fs::remove_all(home, rm_ec);
  }
}

std::string PercentEncode(const std::string& s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// unix_socket_directories is a comma-separated list; double quotes keep a path with commas or
// spaces whole ("" stands for a literal quote).
std::string QuoteSocketDir(const std::string& dir) {
  std::string out = "\"";
  for (char c : dir) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::unique_ptr<EmbeddedPostgres> EmbeddedPostgres::Start(const std::string& data_dir,
                                                          std::string* error) {
  std::string ignored_error;
  if (error == nullptr) error = &ignored_error;
  error->clear();
  std::unique_ptr<EmbeddedPostgres> pg(new EmbeddedPostgres);
  try {
    if (data_dir.empty()) {
      *error = "embedded postgres: empty data directory";
      return nullptr;
    }
    const char* locale = ClusterLocale();
    std::error_code ec;
    fs::create_directories(data_dir, ec);
    if (ec) {
      *error = "cannot create data directory " + data_dir + ": " + ec.message();
      return nullptr;
    }
    const std::string dd = fs::canonical(data_dir).string();

    Identity who;
    std::vector<std::string> caller_env = ChildEnv(who, false, locale);
    if (geteuid() == 0 && !EnsureClusterUser(caller_env, &who, error)) return nullptr;
    std::vector<std::string> cluster_env = ChildEnv(who, true, locale);

    const std::string default_bin_dir = FindBinDir(caller_env);
    if (default_bin_dir.empty()) {
      *error =
          "PostgreSQL not found: no pg_config --bindir and no /usr/lib/postgresql/*/bin "
          "with initdb (install the postgresql package)";
      return nullptr;
    }

    // Where the cluster, its socket and its log go (see the header for the relocated layout).
    const std::string link = dd + "/pg";
    const std::string home = std::string(kRelocationRoot) + "/" + StableHash(dd);
    const bool relocated = who.drop && !CanReach(who, dd);
    std::string cluster_dir;
    if (fs::is_symlink(link)) {
      // Made by an earlier relocated run (or by the user, to put the cluster elsewhere). Read
      // rather than resolved: the target may be gone (/var/lib wiped), and is then recreated.
      fs::path target = fs::read_symlink(link);
      if (target.is_relative()) target = fs::path(dd) / target;
      cluster_dir = fs::weakly_canonical(target).string();
      const fs::path parent = fs::path(cluster_dir).parent_path();
      if (!fs::exists(parent)) {
        fs::create_directories(parent, ec);
        if (ec || chmod(parent.c_str(), 0755) != 0) {
          *error = "cannot create " + parent.string() + ": " +
                   (ec ? ec.message() : std::strerror(errno));
          return nullptr;
        }
      }
    } else if (!relocated) {
      cluster_dir = link;
    } else {
      if (fs::exists(link)) {
        *error = link + " exists but user " + kClusterUser + " cannot reach " + dd +
                 " (a parent directory is not searchable by others); move it away or make the " +
                 "parents o+x";
        return nullptr;
      }
      cluster_dir = home + "/pg";
      fs::create_directories(home, ec);
      if (ec || chmod(kRelocationRoot, 0755) != 0 || chmod(home.c_str(), 0755) != 0) {
        *error = "cannot create " + home + ": " + (ec ? ec.message() : std::strerror(errno));
        return nullptr;
      }
      // No link but a cluster: data_dir was deleted (a reset) and made again. The old cluster
      // is an orphan of the same path; it is stopped if it still runs, and replaced.
      if (fs::exists(cluster_dir)) {
        Run({default_bin_dir + "/pg_ctl", "stop", "-D", cluster_dir, "-m", "immediate", "-w", "-t",
             "30"},
            &who, cluster_env);
        fs::remove_all(cluster_dir, ec);
        if (ec) {
          *error = "cannot remove orphaned cluster " + cluster_dir + ": " + ec.message();
          return nullptr;
        }
      }
      fs::create_directory_symlink(cluster_dir, link, ec);
      if (ec) {
        *error = "cannot create symlink " + link + ": " + ec.message();
        return nullptr;
      }
    }
    if (relocated && cluster_dir == home + "/pg") {
      // Written after the link: CollectOrphans only considers homes that have this file.
      std::ofstream(home + "/data_dir.txt") << dd << "\n";
    }
    if (relocated) CollectOrphans(default_bin_dir, who, cluster_env, home);
    std::string run_dir = relocated ? home + "/run" : dd + "/run";
    if (run_dir.size() > kMaxSocketDirLen) run_dir = "/tmp/omni-pg-" + StableHash(dd);
    const std::string log_path = dd + "/postgres.log";

    // Binaries: those of the cluster's own major version when the cluster exists and they are
    // installed (a newer default cannot open an older cluster), else the default ones.
    std::string bin_dir = default_bin_dir;
    {
      std::ifstream version_file(cluster_dir + "/PG_VERSION");
      std::string major;
      if (version_file >> major) {
        std::string own = "/usr/lib/postgresql/" + major + "/bin";
        if (IsExecutable(own + "/postgres")) bin_dir = own;
      }
    }
    pg->bin_dir_ = bin_dir;
    pg->cluster_dir_ = cluster_dir;
    pg->run_dir_ = run_dir;
    pg->as_cluster_user_ = who.drop;
    pg->uid_ = who.uid;
    pg->gid_ = who.gid;

    // initdb into a sibling directory, renamed into place only when complete: an initdb killed
    // halfway then leaves nothing that looks like a cluster, and the next Start just retries.
    if (!fs::exists(cluster_dir + "/PG_VERSION")) {
      const std::string staging = cluster_dir + ".init";
      fs::remove_all(staging, ec);
      if (fs::exists(cluster_dir)) {
        if (!fs::is_empty(cluster_dir, ec)) {
          *error = cluster_dir + " exists and is not a PostgreSQL cluster (no PG_VERSION); " +
                   "remove it to start afresh";
          return nullptr;
        }
        fs::remove(cluster_dir, ec);
      }
      if (!PrepareDir(staging, 0700, who, error)) return nullptr;
      ProcResult r = Run({bin_dir + "/initdb", "-D", staging, "-A", "trust", "-U", kDbUser,
                          "--encoding=UTF8", std::string("--locale=") + locale},
                         &who, cluster_env);
      if (r.code != 0) {
        fs::remove_all(staging, ec);
        *error = "initdb failed: " + OneLine(r.output);
        return nullptr;
      }
      fs::rename(staging, cluster_dir, ec);
      if (ec) {
        *error = "cannot move the new cluster to " + cluster_dir + ": " + ec.message();
        return nullptr;
      }
    }
    if (!OwnClusterTree(cluster_dir, who, error)) return nullptr;
    if (chmod(cluster_dir.c_str(), 0700) != 0) {
      *error = Errno("cannot chmod " + cluster_dir);
      return nullptr;
    }
    if (!PrepareDir(run_dir, 0700, who, error)) return nullptr;

    const std::vector<std::string> status_cmd = {bin_dir + "/pg_ctl", "status", "-D", cluster_dir};
    // Client commands run as the caller and reach the server only through the socket.
    auto client_cmd = [&](const char* tool, std::vector<std::string> args) {
      std::vector<std::string> cmd = {
          bin_dir + "/" + tool, "-h", run_dir, "-p", kPort, "-U", kDbUser};
      cmd.insert(cmd.end(), args.begin(), args.end());
      return cmd;
    };
    const std::vector<std::string> ready_cmd =
        client_cmd("pg_isready", {"-q", "-d", "postgres", "-t", "5"});
    // listen_addresses is empty: no TCP at all, only the socket in run_dir.
    std::vector<std::string> postgres_cmd = {bin_dir + "/postgres", "-D", cluster_dir, "-p", kPort};
    for (const std::string& setting :
         {"unix_socket_directories=" + QuoteSocketDir(run_dir), std::string("listen_addresses="),
          std::string("max_connections=200"), std::string("fsync=on")}) {
      postgres_cmd.insert(postgres_cmd.end(), {"-c", setting});
    }

    // Until the socket accepts connections: reuse a server already running on this cluster
    // (after a SIGKILL of the previous owner it may still be up, or still shutting down: then
    // wait for it to go and start our own); start one when none runs; give up after a few
    // failed starts or at the deadline.
    const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
    int failed_starts = 0;
    std::string last_failure;
    for (;;) {
      if (pg->postmaster_pid_ > 0) {
        int status = 0;
        if (waitpid(pg->postmaster_pid_, &status, WNOHANG) == pg->postmaster_pid_) {
          pg->postmaster_pid_ = -1;
          pg->stop_on_destroy_ = false;
          last_failure = LogTail(log_path);
          if (++failed_starts >= 3) {
            *error = "postgres did not start: " + last_failure;
            return nullptr;
          }
        }
      }
      if (Run(ready_cmd, nullptr, caller_env).code == 0) break;
      if (pg->postmaster_pid_ < 0) {
        ProcResult status = Run(status_cmd, &who, cluster_env);
        if (status.code == 3) {  // not running (no pid file, or a stale one: postgres copes)
          std::string spawn_error;
          pg->postmaster_pid_ =
              SpawnPostmaster(postgres_cmd, who, cluster_env, log_path, &spawn_error);
          if (pg->postmaster_pid_ < 0) {
            *error = "cannot start postgres: " + spawn_error;
            return nullptr;
          }
          pg->stop_on_destroy_ = true;
        } else if (status.code == 0) {
          pid_t pid = PidFromLockFile(cluster_dir);
          if (pid > 0 && PidIsSomethingElse(pid)) {
            unlink((cluster_dir + "/postmaster.pid").c_str());  // stale, pid reused
            continue;
          }
          // Someone else's server on this cluster (ours from a killed run): wait for it.
        } else {
          *error = "pg_ctl status failed: " + OneLine(status.output);
          return nullptr;
        }
      }
      if (std::chrono::steady_clock::now() > deadline) {
        *error = "postgres did not accept connections on " + run_dir + " within " +
                 std::to_string(kStartTimeout.count()) +
                 "s: " + (last_failure.empty() ? LogTail(log_path) : last_failure);
        return nullptr;  // the destructor stops the server if we started it
      }
      std::this_thread::sleep_for(kPollInterval);
    }
    pg->stop_on_destroy_ = true;  // also a reused server: we own the cluster from now on

    const std::string query =
        std::string("SELECT 1 FROM pg_database WHERE datname = '") + kDbName + "'";
    const std::vector<std::string> psql =
        client_cmd("psql", {"-X", "-q", "-d", "postgres", "-tA", "-c", query});
    ProcResult exists = Run(psql, nullptr, caller_env);
    if (exists.code != 0) {
      *error = "cannot query the cluster: " + OneLine(exists.output);
      return nullptr;
    }
    if (exists.output.find('1') == std::string::npos) {
      ProcResult created = Run(client_cmd("createdb", {kDbName}), nullptr, caller_env);
      if (created.code != 0 && created.output.find("already exists") == std::string::npos) {
        *error = std::string("createdb ") + kDbName + " failed: " + OneLine(created.output);
        return nullptr;
      }
    }
    pg->url_ = std::string("postgresql:///") + kDbName + "?host=" + PercentEncode(run_dir) +
               "&port=" + kPort + "&user=" + kDbUser;
    return pg;
  } catch (const std::exception& e) {
    *error = std::string("embedded postgres: ") + e.what();
    return nullptr;
  }
}

EmbeddedPostgres::~EmbeddedPostgres() {
  if (!stop_on_destroy_) return;
  Identity who;
  who.drop = as_cluster_user_;
  who.uid = uid_;
  who.gid = gid_;
  std::vector<std::string> env = ChildEnv(who, true, ClusterLocale());
  const std::string pg_ctl = bin_dir_ + "/pg_ctl";
  Run({pg_ctl, "stop", "-D", cluster_dir_, "-m", "fast", "-w", "-t", "60"}, &who, env);
  // pg_ctl stop exits 1 both for "was not running" and for "did not stop in time": ask again.
  if (Run({pg_ctl, "status", "-D", cluster_dir_}, &who, env).code == 0) {
    Run({pg_ctl, "stop", "-D", cluster_dir_, "-m", "immediate", "-w", "-t", "30"}, &who, env);
  }
  if (postmaster_pid_ > 0) {
    // Reap our child. pg_ctl stop returns once the pid file is gone, a moment before the
    // process exits; a postmaster that survived both stops is killed outright.
    for (int i = 0; i < 100; ++i) {
      if (waitpid(postmaster_pid_, nullptr, WNOHANG) != 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    kill(postmaster_pid_, SIGKILL);
    waitpid(postmaster_pid_, nullptr, 0);
  }
}

}  // namespace omni::storage
