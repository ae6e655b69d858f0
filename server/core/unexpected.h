// Unexpected failures as the client sees them: Salesforce's UNKNOWN_EXCEPTION with an opaque
// ErrorId ("An unexpected error occurred. Please include this ErrorId if you contact support:
// 1087425744-147474 (-1229406066)"), and the cause logged on stderr under the same id, so that
// an operator can find it while no SQL, exception text or stack trace reaches the client.
//
// Guarded() is the one catch-all every dispatcher, session, query, describe and replication entry
// point runs its body in: any exception (std::exception or not) becomes that fault, so no request
// can terminate the process.
//
// LIMITATIONS: the ErrorId only has the shape of Salesforce's; it is random, and means something
// only together with this server's log.
//
// Thread-safety: thread-safe (ids from a thread-safe generator; one log line per failure).
#pragma once

#include <exception>
#include <string>

#include "server/core/outcome.h"
#include "server/core/status.h"

namespace omni {

// A fresh opaque ErrorId, shaped like Salesforce's ("<digits>-<digits> (<-digits>)").
std::string NewErrorId();

// Logs "<where>: <what>" under a new ErrorId and returns Salesforce's message naming that id.
std::string LogUnexpected(const std::string& where, const std::string& what);

// The whole-call fault: UNKNOWN_EXCEPTION, UnexpectedErrorFault, the message above.
Fault UnexpectedFault(const std::string& where, const std::string& what);
// The per-record error: status code UNKNOWN_EXCEPTION with the message above.
Error UnexpectedError(const std::string& where, const std::string& what);

// The text of the exception being handled (for use inside a catch block).
std::string CurrentExceptionText();

// Runs fn (returning Outcome<T>); any exception becomes UnexpectedFault(where, ...).
template <typename T, typename Fn>
Outcome<T> Guarded(const char* where, Fn&& fn) {
  try {
    return fn();
  } catch (...) {
    return Outcome<T>::Fail(UnexpectedFault(where, CurrentExceptionText()));
  }
}

}  // namespace omni
