#include "common/kube/auth/credentials.hpp"

#include <chrono>
#include <mutex>

#include <sys/stat.h>

#include "common/core/files.hpp"
#include "common/core/log.hpp"
#include "common/core/strings.hpp"
#include "common/kube/auth/exec_plugin.hpp"

namespace mirrord::kube {
namespace {

// Static fields from the kubeconfig user: token, basic auth, client certificate.
Credential static_part(const UserEntry& user) {
    Credential credential;
    credential.bearer_token = user.token;
    credential.username = user.username;
    credential.password = user.password;
    credential.client_cert_pem = user.client_certificate_data;
    credential.client_key_pem = user.client_key_data;
    log::add_secret(credential.bearer_token);
    log::add_secret(credential.password);
    log::add_secret(credential.client_key_pem);
    return credential;
}

class StaticSource final : public CredentialSource {
public:
    explicit StaticSource(Credential credential) : credential_(std::move(credential)) {}
    Result<Credential> get() override { return credential_; }

private:
    Credential credential_;
};

// tokenFile and the in-cluster token: projected service-account tokens rotate (kubelet rewrites
// the file), so the file is re-read whenever its mtime changes, and after a 401.
class TokenFileSource final : public CredentialSource {
public:
    TokenFileSource(Credential base, std::string path)
        : base_(std::move(base)), path_(std::move(path)) {}

    Result<Credential> get() override {
        std::lock_guard lock(mutex_);
        struct stat info {};
        const bool stat_ok = ::stat(path_.c_str(), &info) == 0;
        const auto mtime = stat_ok ? info.st_mtim.tv_sec * 1000000000L + info.st_mtim.tv_nsec : 0;
        if (token_.empty() || mtime != mtime_) {
            auto text = read_file(path_);
            // A file gone after we read it (a prefetching guardian outliving a mount): the token
            // we have is still the best guess; only a 401 (invalidate) makes the failure final.
            if (!text && token_.empty())
                return std::move(text).error().wrap("reading tokenFile");
            if (text) {
                token_ = std::string(trim(*text));
                log::add_secret(token_);
                mtime_ = mtime;
            }
        }
        Credential credential = base_;
        credential.bearer_token = token_;
        return credential;
    }

    bool invalidate() override {
        std::lock_guard lock(mutex_);
        token_.clear();
        return true;
    }

private:
    Credential base_;
    std::string path_;
    std::mutex mutex_;
    std::string token_;
    long mtime_ = 0;
};

} // namespace

std::unique_ptr<CredentialSource> make_credential_source(const Connection& connection) {
    const UserEntry& user = connection.user;
    Credential base = static_part(user);
    if (user.exec)
        return make_exec_source(*user.exec, connection.server, connection.ca_pem, std::move(base));
    if (!user.token_file.empty() && user.token.empty())
        return std::make_unique<TokenFileSource>(std::move(base), user.token_file);
    return std::make_unique<StaticSource>(std::move(base));
}

} // namespace mirrord::kube
