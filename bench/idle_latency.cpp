// Benchmark: latency of a single-record partner SOAP create while many idle keep-alive
// connections are open to the same server, bounded in time whatever the server does.
//
//   omni-idle-bench --port 18090 [--idle 1000] [--requests 200] [--timeout-ms 2000]
//                   [--session ID] [--label NAME]
//
// Opens --idle TCP connections, sends one create on each (so each is a connection that has
// been served and is now kept alive, as a pooled client's would be), waits a bounded time for
// those answers, then keeps them all open and idle while it sends --requests sequential creates
// on one fresh connection and records each one's latency. A request without an answer within
// --timeout-ms ends the measurement: the result is then "not served" instead of a hang. With
// --session the creates carry that session (our server); without it they are sent as they are
// (a canned-response server). Prints one line for bench/run.sh:
//   omni-idle: label=L idle=N idle_open=N idle_answered=N requests=N served=N p50_ms=X p99_ms=Y
// (p50_ms/p99_ms are "-" when not every request was served). Single-threaded; only loopback.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "bench/bench_report.h"

namespace {

using Clock = std::chrono::steady_clock;

int MsLeft(Clock::time_point deadline) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return ms > 0 ? static_cast<int>(ms) : 0;
}

// Starts a non-blocking connect to 127.0.0.1:port; -1 when no socket could be had.
int StartConnect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  return fd;
}

bool Connected(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  return getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
}

// Connects one socket within the deadline; -1 when it could not.
int ConnectWithin(int port, Clock::time_point deadline) {
  int fd = StartConnect(port);
  if (fd < 0) return -1;
  pollfd p{fd, POLLOUT, 0};
  if (poll(&p, 1, MsLeft(deadline)) != 1 || !Connected(fd)) {
    close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, const std::string& data, Clock::time_point deadline) {
  for (size_t sent = 0; sent < data.size();) {
    ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return false;
    pollfd p{fd, POLLOUT, 0};
    if (poll(&p, 1, MsLeft(deadline)) != 1) return false;
  }
  return true;
}

// Reads whatever the socket has into buf without blocking; false on close or error.
bool Drain(int fd, std::string* buf) {
  char tmp[16384];
  for (;;) {
    ssize_t n = recv(fd, tmp, sizeof tmp, 0);
    if (n > 0) {
      buf->append(tmp, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    return false;
  }
}

// True when buf holds one whole HTTP response (Content-Length framed, or chunked to its end).
bool WholeResponse(const std::string& buf) {
  size_t head_end = buf.find("\r\n\r\n");
  if (head_end == std::string::npos) return false;
  std::string head = buf.substr(0, head_end);
  std::transform(head.begin(), head.end(), head.begin(), ::tolower);
  size_t cl = head.find("content-length:");
  if (cl != std::string::npos) {
    size_t len = std::stoul(head.substr(cl + 15));
    return buf.size() >= head_end + 4 + len;
  }
  return buf.find("\r\n0\r\n\r\n", head_end) != std::string::npos;
}

bool Success(const std::string& response) {
  return response.compare(0, 12, "HTTP/1.1 200") == 0 &&
         response.find("<success>true</success>") != std::string::npos;
}

// Waits for one whole response on fd within the deadline; empty when none came.
std::string AwaitResponse(int fd, Clock::time_point deadline) {
  std::string buf;
  while (!WholeResponse(buf)) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, MsLeft(deadline)) != 1) return "";
    if (!Drain(fd, &buf) && !WholeResponse(buf)) return "";
  }
  return buf;
}

std::string CreateRequest(const std::string& session, const std::string& name) {
  std::string header = session.empty() ? ""
                                       : "<p:SessionHeader><p:sessionId>" + session +
                                             "</p:sessionId></p:SessionHeader>";
  std::string body =
      "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
      "xmlns:p=\"urn:partner.soap.sforce.com\" xmlns:s=\"urn:sobject.partner.soap.sforce.com\">"
      "<soapenv:Header>" +
      header +
      "</soapenv:Header><soapenv:Body><p:create><p:sObjects><s:type>ServicePresenceStatus"
      "</s:type><s:DeveloperName>" +
      name + "</s:DeveloperName><s:MasterLabel>" + name +
      "</s:MasterLabel></p:sObjects></p:create></soapenv:Body></soapenv:Envelope>";
  return "POST /services/Soap/u/44.0 HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml; "
         "charset=utf-8\r\nSOAPAction: \"\"\r\nConnection: keep-alive\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

double Percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0, idle = 1000, requests = 200, timeout_ms = 2000;
  std::string session, label = "server";
  if (!omni_bench::ParseOptions(argc, argv,
                                {{"--port", omni_bench::IntOption(&port)},
                                 {"--idle", omni_bench::IntOption(&idle)},
                                 {"--requests", omni_bench::IntOption(&requests)},
                                 {"--timeout-ms", omni_bench::IntOption(&timeout_ms)},
                                 {"--session", omni_bench::TextOption(&session)},
                                 {"--label", omni_bench::TextOption(&label)}})) {
    return 2;
  }
  if (port <= 0 || requests <= 0) {
    std::cerr << "usage: omni-idle-bench --port N [--idle N] [--requests N] [--timeout-ms N] "
                 "[--session ID] [--label NAME]\n";
    return 2;
  }
  std::string run = std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  const auto phase = std::chrono::seconds(10);

  // Phase 1: open the idle connections (bounded), then one create on each (bounded).
  std::vector<int> fds;
  for (int i = 0; i < idle; ++i) {
    int fd = StartConnect(port);
    if (fd >= 0) fds.push_back(fd);
  }
  std::vector<int> open;
  {
    auto deadline = Clock::now() + phase;
    std::vector<pollfd> pending;
    for (int fd : fds) pending.push_back({fd, POLLOUT, 0});
    while (!pending.empty() && MsLeft(deadline) > 0) {
      if (poll(pending.data(), pending.size(), MsLeft(deadline)) <= 0) break;
      std::vector<pollfd> still;
      for (const auto& p : pending) {
        if (p.revents == 0) {
          still.push_back(p);
        } else if (Connected(p.fd)) {
          open.push_back(p.fd);
        }
      }
      pending.swap(still);
    }
  }
  int idle_answered = 0;
  {
    auto deadline = Clock::now() + phase;
    std::vector<pollfd> waiting;
    std::vector<std::string> bufs(open.size());
    for (size_t i = 0; i < open.size(); ++i) {
      if (SendAll(open[i], CreateRequest(session, "i" + run + "_" + std::to_string(i)), deadline)) {
        waiting.push_back({open[i], POLLIN, static_cast<short>(0)});
      }
    }
    std::vector<size_t> index;  // waiting[j] is open[index[j]]
    for (size_t i = 0, j = 0; i < open.size() && j < waiting.size(); ++i) {
      if (open[i] == waiting[j].fd) index.push_back(i), ++j;
    }
    while (!waiting.empty() && MsLeft(deadline) > 0) {
      if (poll(waiting.data(), waiting.size(), MsLeft(deadline)) <= 0) break;
      std::vector<pollfd> still;
      std::vector<size_t> still_index;
      for (size_t j = 0; j < waiting.size(); ++j) {
        std::string& buf = bufs[index[j]];
        bool alive = waiting[j].revents == 0 || Drain(waiting[j].fd, &buf);
        if (WholeResponse(buf)) {
          if (Success(buf)) ++idle_answered;
        } else if (alive) {
          still.push_back(waiting[j]);
          still_index.push_back(index[j]);
        }
      }
      waiting.swap(still);
      index.swap(still_index);
    }
  }

  // Phase 2: sequential creates on a fresh connection while the others stay open and idle.
  std::vector<double> latencies;
  int served = 0;
  int fd = ConnectWithin(port, Clock::now() + std::chrono::milliseconds(timeout_ms));
  for (int i = 0; fd >= 0 && i < requests; ++i) {
    auto start = Clock::now();
    auto deadline = start + std::chrono::milliseconds(timeout_ms);
    if (!SendAll(fd, CreateRequest(session, "l" + run + "_" + std::to_string(i)), deadline)) break;
    std::string response = AwaitResponse(fd, deadline);
    if (!Success(response)) {
      if (!response.empty()) std::cerr << "omni-idle: failed create: " << response.substr(0, 300);
      break;
    }
    latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    ++served;
  }
  if (fd >= 0) close(fd);
  for (int f : fds) close(f);

  char p50[32] = "-", p99[32] = "-";
  if (served == requests) {
    std::snprintf(p50, sizeof p50, "%.3f", Percentile(latencies, 0.50));
    std::snprintf(p99, sizeof p99, "%.3f", Percentile(latencies, 0.99));
  }
  std::printf(
      "omni-idle: label=%s idle=%d idle_open=%zu idle_answered=%d requests=%d served=%d "
      "p50_ms=%s p99_ms=%s\n",
      label.c_str(), idle, open.size(), idle_answered, requests, served, p50, p99);
  return 0;
}
