// HttpRequest and HttpResponse: one HTTP exchange as the transport hands it to a handler and takes
// the answer back, free of Boost.Beast and of any payload format. Handlers (routes, the SOAP
// endpoint, the emulator's own pages) return an HttpResponse and never touch a socket, so results
// and faults leave by the same road. Plain data; thread-compatible.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace omni {

struct HttpRequest {
  std::string method;                                        // "GET", "POST", ...
  std::string target;                                        // as sent: "/services/Soap/u/44.0?x=1"
  std::string path;                                          // the target without its query string
  std::string query;                                         // the part after '?', or empty
  std::vector<std::pair<std::string, std::string>> headers;  // as sent, in order
  std::string body;  // decoded: de-chunked and, when it was gzip-encoded, inflated

  // The first header of that name (case-insensitive), or "" when absent.
  std::string Header(const std::string& name) const;
  // One query parameter by name ("after" in "?after=3&timeout=5"), or "" when absent.
  // The first value of a query parameter, percent-decoded ("+" a space); "" when absent.
  std::string QueryParam(const std::string& name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=UTF-8";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string body;
  bool close = false;  // close the connection after this response

  static HttpResponse Of(int status, std::string content_type, std::string body) {
    HttpResponse r;
    r.status = status;
    r.content_type = std::move(content_type);
    r.body = std::move(body);
    return r;
  }
  static HttpResponse Text(int status, std::string body, bool close = false) {
    HttpResponse r = Of(status, "text/plain; charset=UTF-8", std::move(body));
    r.close = close;
    return r;
  }
};

}  // namespace omni
