// Raw HTTP responses written straight to a gSOAP connection's socket: for the emulator's own GET
// pages (health, WSDLs), 404s, and SOAP faults whose exact Salesforce shape gSOAP's own fault
// serializer cannot produce. Thread-safety: one connection is used by one thread.
#pragma once

#include <string>

struct soap;

namespace omni {

// Writes a complete HTTP/1.1 response (status line, Content-Type, Content-Length, Connection) and
// the body. Returns SOAP_STOP, so that gSOAP sends nothing more for this request and, when the
// connection is kept alive, goes on to the next one; returns SOAP_EOF when the peer is gone.
int SendRaw(struct soap* soap, int status, const std::string& content_type,
            const std::string& body);

}  // namespace omni
