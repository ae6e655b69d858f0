#include "server/soap/soap_endpoint.h"

#include <stdsoap2.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>

#include "server/core/unexpected.h"
#include "server/soap/faults.h"
#include "server/soap/request_shape.h"
#include "server/soap/response_shape.h"
#include "server/soap/xml_guard.h"
#include "soapH.h"

namespace omni {

namespace {

struct SoapFree {
  void operator()(struct soap* s) const {
    soap_destroy(s);
    soap_end(s);
    soap_free(s);
  }
};

// gSOAP reads the body from memory and writes the response to memory: no socket, no HTTP.
std::size_t ReadBody(struct soap* soap, char* buf, std::size_t len) {
  auto* state = static_cast<RequestState*>(soap->user);
  std::size_t n = len < state->in_left ? len : state->in_left;
  std::memcpy(buf, state->in, n);
  state->in += n;
  state->in_left -= n;
  return n;
}

int WriteOut(struct soap* soap, const char* s, std::size_t n) {
  static_cast<RequestState*>(soap->user)->out.append(s, n);
  return SOAP_OK;
}

// gSOAP skips an element it cannot place; Salesforce refuses it, naming it as the client sent
// it (the normaliser kept its namespace in an attribute). LIMITATIONS: header entries the server
// has no use for (WS-Security, tracing) are skipped, as SOAP lets a receiver skip them; whether
// the real org refuses them is not known.
int RefuseUnknownElement(struct soap* soap, const char* tag) {
  if (soap->part == SOAP_IN_HEADER && soap->level <= 2) return SOAP_OK;
  auto* state = static_cast<RequestState*>(soap->user);
  const char* original = soap_attr_value(soap, kOriginalNsAttribute, 0, 0);
  const char* ns = original ? original : soap_current_namespace_tag(soap, tag);
  const char* colon = std::strchr(tag, ':');
  state->misplaced = std::string("{") + (ns ? ns : "") + "}" + (colon ? colon + 1 : tag);
  return SOAP_TAG_MISMATCH;
}

struct soap* NewContext() {
  struct soap* s = soap_new1(SOAP_C_UTFSTRING);
  // Plain XML both ways: the transport has parsed the HTTP request and writes the HTTP response.
  soap_set_imode(s, SOAP_ENC_PLAIN);
  soap_set_omode(s, SOAP_ENC_PLAIN | SOAP_IO_BUFFER);
  s->frecv = ReadBody;
  s->fsend = WriteOut;
  s->fignore = RefuseUnknownElement;
  return s;
}

thread_local std::unique_ptr<struct soap, SoapFree> tls_context;

HttpResponse Xml(int status, std::string body) {
  return HttpResponse::Of(status, "text/xml; charset=UTF-8", std::move(body));
}

// API REQUESTS as the LimitInfoHeader reports them. LIMITATIONS: counted per server process
// since it started, not per org over the last 24 hours, and never enforced.
constexpr std::int64_t kApiRequestLimit = 5000000;
std::int64_t CountApiRequest() {
  static std::atomic<std::int64_t> count{0};
  return ++count;
}

HttpResponse Serve(struct soap* soap, RequestState& state) {
  if (soap_begin_serve(soap)) {
    if (!state.misplaced.empty()) {  // in a request header
      return Xml(500,
                 ClientFaultEnvelope("Element " + state.misplaced + " invalid at this location"));
    }
    // Not a SOAP envelope (or a truncated one): a soapenv:Client fault, as Salesforce answers.
    std::string message = "Unexpected end of the request: the body is not a complete SOAP envelope";
    if (soap->error != SOAP_EOF) {
      soap_set_fault(soap);
      const char** text = soap_faultstring(soap);
      if (text && *text) message = std::string("Malformed request: ") + *text;
    }
    return Xml(500, ClientFaultEnvelope(message));
  }
  int rc = soap_serve_request(soap);
  if (state.answer) return std::move(*state.answer);
  if (!state.misplaced.empty()) {
    return Xml(500,
               ClientFaultEnvelope("Element " + state.misplaced + " invalid at this location"));
  }
  if (rc == SOAP_NO_METHOD) {
    // A call of the Salesforce API that the emulator does not implement (yet): an explicit
    // fault, never a silent success.
    std::string name = soap->tag;
    name = name.substr(name.find(':') + 1);
    return Xml(500, FaultEnvelope(state.flavor,
                                  Fault{ExceptionCode::kInvalidOperation, FaultKind::kApiFault,
                                        "omni-emulator does not implement the call '" + name +
                                            "' (see LIMITATIONS in README.md)"}));
  }
  if (rc && soap->error && soap->error < SOAP_STOP) {
    // The envelope parsed but a request element did not (a value of the wrong XML type, say):
    // a client fault. LIMITATIONS: its text is gSOAP's ("Validation constraint violation: ..."),
    // not the org's wording for the same mistake.
    soap_set_fault(soap);
    const char** text = soap_faultstring(soap);
    return Xml(500, ClientFaultEnvelope(text && *text ? *text : "Malformed request"));
  }
  if (state.flavor == Flavor::kPresence) return Xml(200, std::move(state.out));
  std::string header;
  if (state.limit_info) header = LimitInfoHeader(CountApiRequest(), kApiRequestLimit);
  int results = 0;
  std::string shaped = ShapeResponse(state.flavor, state.out, header, &results);
  if (state.record_items > 0 && results != state.record_items) {
    // Never an answer that silently drops records the request carried: one result per record,
    // whatever the operation, or the whole call fails.
    return Xml(500, FaultEnvelope(state.flavor,
                                  UnexpectedFault(
                                      "soap response",
                                      "the request carried " + std::to_string(state.record_items) +
                                          " records, the response " + std::to_string(results))));
  }
  return Xml(200, std::move(shaped));
}

}  // namespace

HttpResponse SoapEndpoint::Handle(Flavor flavor, const std::string& body) const {
  RequestState state;
  return Run(flavor, body, &state);
}

HandlerResult SoapEndpoint::HandlePresence(const std::string& body) const {
  RequestState state;
  HttpResponse now = Run(Flavor::kPresence, body, &state);
  if (!state.park) return HandlerResult{std::move(now), std::nullopt};
  ParkRequest park;
  park.channel = state.park->channel;
  park.after = state.park->after;
  park.timeout = state.park->timeout;
  const SoapEndpoint* self = this;
  std::int64_t after = state.park->after;
  park.finish = [self, body, after](WakeReason) {
    RequestState again;
    again.may_park = false;
    again.events_after = after;
    return self->Run(Flavor::kPresence, body, &again);
  };
  return HandlerResult{HttpResponse(), std::move(park)};
}

HttpResponse SoapEndpoint::Run(Flavor flavor, const std::string& body,
                               RequestState* state_in) const {
  RequestState& state = *state_in;
  // Hostile XML (a DTD, entities, floods that make gSOAP's parse superlinear) never reaches it.
  if (auto refused = CheckEnvelope(body, app_->xml_limits)) {
    return Xml(500, ClientFaultEnvelope(*refused));
  }
  if (!tls_context) tls_context.reset(NewContext());
  struct soap* soap = tls_context.get();
  state.app = app_;
  state.flavor = flavor;
  NormalisedRequest request;
  if (flavor == Flavor::kPresence) {
    request.xml = body;  // our own WSDL: read as it says, without Salesforce's leniency
  } else {
    request = NormaliseRequest(flavor, body);
  }
  state.record_items = request.record_items;
  state.in = request.xml.data();
  state.in_left = request.xml.size();
  soap->user = &state;
  HttpResponse response;
  try {
    response = Serve(soap, state);
    soap_destroy(soap);
    soap_end(soap);
    soap->user = nullptr;
  } catch (...) {
    // Whatever state gSOAP was left in, the next request gets a fresh context.
    std::string what = CurrentExceptionText();
    tls_context.reset();
    response = Xml(500, FaultEnvelope(flavor, UnexpectedFault("soap request", what)));
  }
  return response;
}

}  // namespace omni
