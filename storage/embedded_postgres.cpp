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
#include "storage/postmaster.h"

extern char** environ;

namespace omni::storage {
namespace {

using child_process::CanReach;
using child_process::Identity;
using child_process::OneLine;
using child_process::ProcResult;
using child_process::Run;

namespace fs = std::filesystem;

constexpr char kClusterUser[] = "omni-pg";  // system user that runs the cluster when we are root
constexpr char kDbUser[] = "omni";          // superuser created by initdb; trust auth
constexpr char kDbName[] = "omni";
constexpr char kPort[] = "5432";  // only names the socket file; there is no TCP listener
constexpr char kRelocationRoot[] = "/var/lib/omni-emulator";
// sockaddr_un.sun_path holds 108 bytes including the NUL, and postgres appends "/.s.PGSQL.5432".
constexpr std::size_t kMaxSocketDirLen = 90;
constexpr auto kStartTimeout = std::chrono::seconds(90);
constexpr int kMaxSpawnsAtStart = 3;

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

// The server settings behind each Durability (the header says what each promises). All three are
// always given, so a postgresql.conf edited by hand cannot weaken or change them.
std::vector<const char*> DurabilitySettings(Durability durability) {
  if (durability == Durability::kFull) {
    return {"fsync=on", "full_page_writes=on", "synchronous_commit=on"};
  }
  return {"fsync=off", "full_page_writes=off", "synchronous_commit=on"};
}

}  // namespace

bool ParseDurability(const std::string& text, Durability* out) {
  if (text == "test-suite") {
    *out = Durability::kTestSuite;
  } else if (text == "full") {
    *out = Durability::kFull;
  } else {
    return false;
  }
  return true;
}

std::unique_ptr<EmbeddedPostgres> EmbeddedPostgres::Start(const std::string& data_dir,
                                                          Durability durability,
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

    // Client commands run as the caller and reach the server only through the socket.
    auto client_cmd = [&](const char* tool, std::vector<std::string> args) {
      std::vector<std::string> cmd = {
          bin_dir + "/" + tool, "-h", run_dir, "-p", kPort, "-U", kDbUser};
      cmd.insert(cmd.end(), args.begin(), args.end());
      return cmd;
    };
    Postmaster::Config config;
    config.bin_dir = bin_dir;
    config.cluster_dir = cluster_dir;
    config.run_dir = run_dir;
    config.port = kPort;
    config.db_user = kDbUser;
    config.log_path = log_path;
    config.who = who;
    config.cluster_env = cluster_env;
    config.caller_env = caller_env;
    // listen_addresses is empty: no TCP at all, only the socket in run_dir.
    config.settings = {"unix_socket_directories=" + QuoteSocketDir(run_dir),
                       "listen_addresses=", "max_connections=200"};
    for (const char* setting : DurabilitySettings(durability)) config.settings.push_back(setting);
    pg->postmaster_ = std::make_unique<Postmaster>(std::move(config));
    if (!pg->postmaster_->BringUp(std::chrono::steady_clock::now() + kStartTimeout,
                                  kMaxSpawnsAtStart, error)) {
      return nullptr;  // the destructor stops a server that was adopted meanwhile
    }

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

void EmbeddedPostgres::StartSupervisor() {
  if (postmaster_) postmaster_->StartSupervisor();
}

bool EmbeddedPostgres::Healthy() const { return postmaster_ && postmaster_->Healthy(); }

EmbeddedPostgres::~EmbeddedPostgres() = default;  // ~Postmaster stops the cluster

}  // namespace omni::storage
