#include "server/sessions/secure_random.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <cstring>
#include <vector>

namespace omni {

namespace {

bool FromUrandom(unsigned char* buf, size_t n, std::string* error) {
  int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = std::string("cannot open /dev/urandom: ") + std::strerror(errno);
    return false;
  }
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::read(fd, buf + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      *error = std::string("cannot read /dev/urandom: ") +
               (r == 0 ? "end of file" : std::strerror(errno));
      ::close(fd);
      return false;
    }
    got += static_cast<size_t>(r);
  }
  ::close(fd);
  return true;
}

}  // namespace

bool SecureRandomBytes(unsigned char* buf, size_t n, std::string* error) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::getrandom(buf + got, n - got, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && errno == ENOSYS) return FromUrandom(buf + got, n - got, error);
    if (r <= 0) {
      *error = std::string("getrandom(2) failed: ") + (r == 0 ? "no bytes" : std::strerror(errno));
      return false;
    }
    got += static_cast<size_t>(r);
  }
  return true;
}

std::string SecureRandomToken(size_t n, std::string* error) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
  std::vector<unsigned char> bytes(n);
  if (!SecureRandomBytes(bytes.data(), n, error)) return "";
  std::string out;
  out.reserve(n);
  for (unsigned char c : bytes) out += kAlphabet[c % 64];  // 256 = 4 * 64: no bias
  return out;
}

}  // namespace omni
