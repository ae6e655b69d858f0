// The benchmarks' SOAP client: a minimal HTTP/1.1 keep-alive connection (Http), the texts of
// elements in an answer (Texts, FirstText) and the partner envelope (Envelope). Lean on purpose:
// no regex and no XML parser per response, because the client shares the machine's two cores
// with the server it measures, as lean as libpqxx's own result handling.
//
// Thread-safety: an Http is one connection for one thread; the functions are pure.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace omni_bench {

class Http {
 public:
  explicit Http(int port, int timeout_seconds = 30) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      close(fd_);
      throw std::runtime_error("connect failed");
    }
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    // A server that stops answering fails the run (bench/run.sh stays bounded) instead of
    // hanging it.
    timeval tv{timeout_seconds, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  ~Http() { close(fd_); }
  Http(const Http&) = delete;
  Http& operator=(const Http&) = delete;

  // The status the next answers must have (200 unless told otherwise).
  void Expect(int status) { expect_ = status; }
  // The content type and extra header lines ("Name: value\r\n"...) of the next requests (a
  // Bayeux client's JSON and Authorization); SOAP's by default.
  void Headers(std::string content_type, std::string extra) {
    content_type_ = std::move(content_type);
    extra_headers_ = std::move(extra);
  }
  std::string Post(const std::string& path, const std::string& body) {
    return Send("POST", path, body);
  }
  std::string Send(const std::string& method, const std::string& path, const std::string& body) {
    std::string req = method + " " + path +
                      " HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + content_type_ + "\r\n" +
                      extra_headers_ + "Content-Length: " + std::to_string(body.size()) +
                      "\r\nConnection: keep-alive\r\n\r\n" + body;
    for (size_t sent = 0; sent < req.size();) {
      ssize_t n = send(fd_, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("send failed");
      sent += static_cast<size_t>(n);
    }
    size_t header_end;
    while ((header_end = buf_.find("\r\n\r\n")) == std::string::npos) Fill();
    std::string head = buf_.substr(0, header_end);
    buf_.erase(0, header_end + 4);
    std::string body_out;
    std::string lower = head;
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    size_t cl = lower.find("\r\ncontent-length:");
    if (cl != std::string::npos) {
      size_t len = std::stoul(head.substr(cl + 17));
      while (buf_.size() < len) Fill();
      body_out = buf_.substr(0, len);
      buf_.erase(0, len);
    } else {  // chunked
      for (;;) {
        size_t eol;
        while ((eol = buf_.find("\r\n")) == std::string::npos) Fill();
        size_t len = std::stoul(buf_.substr(0, eol), nullptr, 16);
        buf_.erase(0, eol + 2);
        while (buf_.size() < len + 2) Fill();
        body_out += buf_.substr(0, len);
        buf_.erase(0, len + 2);
        if (len == 0) break;
      }
    }
    status_ = head.size() >= 12 ? std::atoi(head.c_str() + 9) : 0;
    if (status_ != expect_) {
      throw std::runtime_error("HTTP error: " + head + "\n" + body_out.substr(0, 600));
    }
    return body_out;
  }

 private:
  void Fill() {
    char tmp[65536];
    ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) throw std::runtime_error("connection closed");
    buf_.append(tmp, static_cast<size_t>(n));
  }
  int fd_;
  std::string buf_;
  std::string content_type_ = "text/xml; charset=utf-8";
  std::string extra_headers_ = "SOAPAction: \"\"\r\n";
  int status_ = 0, expect_ = 200;
};

// The texts of every element named `local` whatever its prefix (<id>, <p:id>, <sf:Id>...).
inline std::vector<std::string> Texts(const std::string& xml, const std::string& local) {
  std::vector<std::string> out;
  const std::string tag = local + ">";
  for (size_t at = xml.find(tag); at != std::string::npos; at = xml.find(tag, at + 1)) {
    size_t start = at;
    while (start > 0 && (std::isalnum(static_cast<unsigned char>(xml[start - 1])) ||
                         xml[start - 1] == '_' || xml[start - 1] == ':')) {
      --start;
    }
    if (start == 0 || xml[start - 1] != '<') continue;  // a closing tag, or a longer name
    std::string name = xml.substr(start, at - start);
    if (!name.empty() && name.back() != ':') continue;  // e.g. "sessionId" for "Id"
    size_t end = xml.find('<', at + tag.size());
    if (end == std::string::npos) break;
    out.push_back(xml.substr(at + tag.size(), end - at - tag.size()));
  }
  return out;
}

inline std::string FirstText(const std::string& xml, const std::string& local) {
  auto all = Texts(xml, local);
  if (all.empty()) throw std::runtime_error("no <" + local + "> in: " + xml.substr(0, 600));
  return all[0];
}

// A partner API envelope (p: the partner namespace, s: the sObject one) with the given header
// and body elements.
inline std::string Envelope(const std::string& header, const std::string& body) {
  return "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
         "xmlns:p=\"urn:partner.soap.sforce.com\" xmlns:s=\"urn:sobject.partner.soap.sforce.com\">"
         "<soapenv:Header>" +
         header + "</soapenv:Header><soapenv:Body>" + body + "</soapenv:Body></soapenv:Envelope>";
}

}  // namespace omni_bench
