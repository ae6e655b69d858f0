// Session ids must not be guessable: their randomness comes from the kernel's cryptographic
// source, getrandom(2) (or /dev/urandom where the kernel lacks that call), never from a seeded
// generator. The server checks at start that the source answers and refuses to start otherwise.
// Thread-safety: thread-safe (no state).
#pragma once

#include <string>

namespace omni {

// Fills buf with n random bytes. False (and *error says why) when the source cannot be read.
bool SecureRandomBytes(unsigned char* buf, size_t n, std::string* error);

// n characters of [A-Za-z0-9._] (6 random bits each), or "" (and *error) when the source fails.
std::string SecureRandomToken(size_t n, std::string* error);

}  // namespace omni
