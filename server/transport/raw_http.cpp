#include "server/transport/raw_http.h"

#include <stdsoap2.h>
#include <sys/socket.h>

#include <cerrno>

namespace omni {

namespace {
const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}
}  // namespace

int SendRaw(struct soap* soap, int status, const std::string& content_type,
            const std::string& body) {
  std::string out =
      "HTTP/1.1 " + std::to_string(status) + " " + Reason(status) +
      "\r\nContent-Type: " + content_type + "\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: " + (soap->keep_alive ? "keep-alive" : "close") + "\r\n\r\n" + body;
  size_t sent = 0;
  while (sent < out.size()) {
    ssize_t n = ::send(soap->socket, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      soap->keep_alive = 0;
      return SOAP_EOF;
    }
    sent += static_cast<size_t>(n);
  }
  return SOAP_STOP;
}

}  // namespace omni
