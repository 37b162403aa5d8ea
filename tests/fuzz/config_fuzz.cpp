// libFuzzer target for the config loader: bytes -> template -> parse -> key check -> typed
// parse -> verify -> resolved JSON. load_text() must never crash or throw, whatever the input.
//
// The first byte picks the format ('0' JSON, '1' YAML, '2' TOML, modulo 3) and bit 2 of it
// whether a missing target counts as targetless; the rest is the file.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/config/config.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    // Fixed context values: no random key and no .git lookups, so runs are reproducible.
    ::setenv("MIRRORD_KEY", "fuzz", 1);
    ::setenv("MIRRORD_BRANCH_NAME", "main", 1);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    static const std::string names[] = {"fuzz.json", "fuzz.yaml", "fuzz.toml"};
    const std::string& path = names[data[0] % 3];
    std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    mirrord::config::LoadOptions options;
    options.empty_target_is_targetless = (data[0] & 4) != 0;
    try {
        auto loaded = mirrord::config::load_text(text, path, options);
        if (loaded)
            (void)mirrord::config::to_resolved_json(loaded->config).dump();
        else
            (void)loaded.error().message().size();
    } catch (const std::exception& e) {
        // An exception escaping load_text() or to_resolved_json() is a bug as real as a crash.
        std::fprintf(stderr, "config_fuzz: exception escaped: %s\n", e.what());
        std::abort();
    } catch (...) {
        std::abort();
    }
    return 0;
}
