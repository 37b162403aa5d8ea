#pragma once
// Which pods a connection to a Service port goes to (DESIGN.md s8): the ready endpoints of the
// Service's EndpointSlices, with the port number each pod serves. The EndpointSlice controller
// has already resolved `targetPort` (a number, or a container port name that may differ per
// pod) into each slice's ports, so the number comes from the slice whose port has the Service
// port's name; a numeric targetPort is the fallback for a slice without ports. A headless
// Service (clusterIP None) translates no port: its pods are dialled at the port asked for.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/core/result.hpp"
#include "common/kube/rest_client.hpp"
#include "common/tunnel/port_forward.hpp"

namespace mirrord::tunnel {

// The endpoints to try for `service_port` (the port clients dial, spec.ports[].port) of
// `service`, given its EndpointSlices (a list object). Ready endpoints whose targetRef is a Pod,
// in slice order; not-ready and terminating ones are left out. Errors name the service and port.
Result<std::vector<PodPort>> ready_endpoints(const nlohmann::json& service,
                                             const nlohmann::json& slices,
                                             std::uint16_t service_port);

// Reads the Service and its EndpointSlices (label kubernetes.io/service-name) and returns
// ready_endpoints(). Errors say which read failed (a 403 names the resource the Role needs).
Result<std::vector<PodPort>> resolve_service_endpoints(kube::Client& client,
                                                       const std::string& namespace_,
                                                       const std::string& service,
                                                       std::uint16_t service_port);

} // namespace mirrord::tunnel
