// LD_PRELOAD shim for tests: shifts this process's wall clock (CLOCK_REALTIME, which
// std::chrono::system_clock reads) by CLOCK_SHIFT_SECONDS, as on a machine whose clock is off.
// MIRRORD_TEST_CLOCK_SKEW_SECONDS shifts only the clock that ApiClock reads; this shifts every
// reader, so code that uses the local clock where it should use the apiserver's shows up.

#include <cstdlib>
#include <ctime>

#include <dlfcn.h>

extern "C" int clock_gettime(clockid_t id, struct timespec* out) {
    using Real = int (*)(clockid_t, struct timespec*);
    static Real real = reinterpret_cast<Real>(dlsym(RTLD_NEXT, "clock_gettime"));
    const int rc = real(id, out);
    if (rc == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE))
        if (const char* shift = std::getenv("CLOCK_SHIFT_SECONDS"); shift != nullptr)
            out->tv_sec += std::atol(shift);
    return rc;
}
