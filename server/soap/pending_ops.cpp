// Calls that are in the WSDLs but not served yet: each answers an explicit INVALID_OPERATION
// fault (after the usual session check), never a silent success. Work on a call moves its two
// functions (partner and enterprise) out of this file into the file that implements it.
#include "server/soap/op_support.h"

namespace omni {
namespace soap_ops {

template <class T>
int NotServedYet(struct soap* soap, const char* call) {
  int rc;
  if (!Authenticate<T>(soap, &rc)) return rc;
  return SendFault(soap, Fault{ExceptionCode::kInvalidOperation, FaultKind::kApiFault,
                               std::string("omni-emulator does not implement the call '") + call +
                                   "' yet (see LIMITATIONS in README.md)"});
}

}  // namespace soap_ops
}  // namespace omni

#define OMNI_PENDING(call)                                                                 \
  int __p__##call(struct soap* s, _p__##call*, _p__##call##Response&) {                    \
    return omni::soap_ops::NotServedYet<omni::soap_ops::PartnerTypes>(s, #call);           \
  }                                                                                        \
  int __e__##call(struct soap* s, _e__##call*, _e__##call##Response&) {                    \
    return omni::soap_ops::NotServedYet<omni::soap_ops::EnterpriseTypes>(s, #call);        \
  }

