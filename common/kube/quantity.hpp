#pragma once
// Kubernetes resource quantities ("500m", "1.5Gi", "1e3") and the kubelet's arithmetic on them
// for resourceFieldRef env values.

#include <string>

#include "common/core/result.hpp"

namespace mirrord::kube {

// The kubelet's value for a resourceFieldRef: `quantity` divided by `divisor`, rounded up
// (cpu in millicores, others in bytes); an empty or zero divisor means 1, as the apiserver stores
// an unset divisor as "0". Error for an unparsable quantity.
Result<std::string> resource_value(const std::string& resource, const std::string& quantity,
                                   const std::string& divisor);

} // namespace mirrord::kube
