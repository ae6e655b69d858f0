// setPassword and resetPassword on both endpoints: an administrator gives a user (an agent
// created through the API) a password, so that the user can log in with a plain SOAP login.
// The checks and the storage are the SessionService's (server/sessions/session_service.h).
#include "server/soap/op_support.h"

namespace omni {
namespace soap_ops {

template <class T, class Req, class Resp, class NewResult>
int DoSetPassword(struct soap* soap, Req* req, Resp& resp, NewResult new_result) {
  int rc;
  auto ctx = Authenticate<T>(soap, &rc);
  if (!ctx) return rc;
  auto out = App(soap).sessions->SetPassword(*ctx, req->userId, req->password);
  if (out.fault) return SendFault(soap, *out.fault);
  resp.result = new_result(soap);  // SetPasswordResult has no members
  return SOAP_OK;
}

template <class T, class Req, class Resp, class NewResult>
int DoResetPassword(struct soap* soap, Req* req, Resp& resp, NewResult new_result) {
  int rc;
  auto ctx = Authenticate<T>(soap, &rc);
  if (!ctx) return rc;
  auto out = App(soap).sessions->ResetPassword(*ctx, req->userId);
  if (out.fault) return SendFault(soap, *out.fault);
  resp.result = new_result(soap);
  resp.result->password = out.value;
  return SOAP_OK;
}

}  // namespace soap_ops
}  // namespace omni

using omni::soap_ops::EnterpriseTypes;
using omni::soap_ops::PartnerTypes;

int __p__setPassword(struct soap* s, _p__setPassword* req, _p__setPasswordResponse& resp) {
  return omni::soap_ops::DoSetPassword<PartnerTypes>(
      s, req, resp, [](struct soap* x) { return soap_new_p__SetPasswordResult(x); });
}
int __p__resetPassword(struct soap* s, _p__resetPassword* req, _p__resetPasswordResponse& resp) {
  return omni::soap_ops::DoResetPassword<PartnerTypes>(
      s, req, resp, [](struct soap* x) { return soap_new_p__ResetPasswordResult(x); });
}
int __e__setPassword(struct soap* s, _e__setPassword* req, _e__setPasswordResponse& resp) {
  return omni::soap_ops::DoSetPassword<EnterpriseTypes>(
      s, req, resp, [](struct soap* x) { return soap_new_e__SetPasswordResult(x); });
}
int __e__resetPassword(struct soap* s, _e__resetPassword* req, _e__resetPasswordResponse& resp) {
  return omni::soap_ops::DoResetPassword<EnterpriseTypes>(
      s, req, resp, [](struct soap* x) { return soap_new_e__ResetPasswordResult(x); });
}
