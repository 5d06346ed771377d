// SPDX-License-Identifier: MIT
#include "plugin.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

namespace ares_dp
{

namespace
{

// Devices by id, from one snapshot, so a request is judged on one state.
std::map<std::string, Npu> by_id(const DeviceTable &table)
{
	std::map<std::string, Npu> m;

	for (const Npu &d : table.snapshot(nullptr))
		m[d.id] = d;
	return m;
}

} // namespace

AresPlugin::AresPlugin(DeviceTable &table, std::string cdi_kind)
    : table_(table), cdi_kind_(std::move(cdi_kind))
{
}

v1beta1::DevicePluginOptions AresPlugin::options()
{
	v1beta1::DevicePluginOptions o;

	o.set_pre_start_required(false);
	o.set_get_preferred_allocation_available(true);
	return o;
}

grpc::Status AresPlugin::GetDevicePluginOptions(grpc::ServerContext *, const v1beta1::Empty *,
						v1beta1::DevicePluginOptions *resp)
{
	*resp = options();
	return grpc::Status::OK;
}

grpc::Status AresPlugin::ListAndWatch(grpc::ServerContext *ctx, const v1beta1::Empty *,
				      grpc::ServerWriter<v1beta1::ListAndWatchResponse> *writer)
{
	uint64_t gen = 0;

	for (;;) {
		std::vector<Npu> devs = table_.snapshot(&gen);
		v1beta1::ListAndWatchResponse resp;

		for (const Npu &d : devs) {
			v1beta1::Device *dev = resp.add_devices();

			dev->set_id(d.id);
			dev->set_health(d.healthy ? kHealthy : kUnhealthy);
			if (d.numa_node >= 0)
				dev->mutable_topology()->add_nodes()->set_id(d.numa_node);
			fprintf(stderr, "ares-device-plugin: %s %s%s%s\n", d.id.c_str(),
				d.healthy ? kHealthy : kUnhealthy, d.why.empty() ? "" : ": ",
				d.why.c_str());
		}
		if (!writer->Write(resp))
			return grpc::Status::OK; // kubelet went away
		// Short waits so a cancelled stream or a stopping server ends soon.
		while (!table_.wait_change(gen, std::chrono::milliseconds(200)))
			if (ctx->IsCancelled() || stopping_)
				return grpc::Status::OK;
	}
}

grpc::Status AresPlugin::GetPreferredAllocation(grpc::ServerContext *,
						const v1beta1::PreferredAllocationRequest *req,
						v1beta1::PreferredAllocationResponse *resp)
{
	std::map<std::string, Npu> devs = by_id(table_);

	for (const auto &creq : req->container_requests()) {
		std::vector<std::string> pick(creq.must_include_deviceids().begin(),
					      creq.must_include_deviceids().end());
		std::set<std::string> taken(pick.begin(), pick.end());
		std::map<int, int> per_numa;
		int want = creq.allocation_size();

		if (want < 0 || (size_t)want < pick.size())
			return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
					    "allocation_size " + std::to_string(want) +
						    " is below the " + std::to_string(pick.size()) +
						    " devices that must be included");
		// Devices on one NUMA node share its memory bandwidth and the
		// CPUs kubelet's topology manager would pin: prefer the node
		// that the must-include devices are on, then the fullest one.
		for (const std::string &id : pick)
			if (devs.count(id))
				per_numa[devs[id].numa_node] += 1000;
		for (const std::string &id : creq.available_deviceids())
			if (devs.count(id) && !taken.count(id))
				per_numa[devs[id].numa_node]++;
		std::vector<std::string> avail;
		for (const std::string &id : creq.available_deviceids())
			if (!taken.count(id))
				avail.push_back(id);
		std::stable_sort(avail.begin(), avail.end(),
				 [&](const std::string &a, const std::string &b) {
					 int na = devs.count(a) ? per_numa[devs[a].numa_node] : -1;
					 int nb = devs.count(b) ? per_numa[devs[b].numa_node] : -1;
					 return na != nb ? na > nb : a < b;
				 });
		for (const std::string &id : avail) {
			if ((int)pick.size() >= want)
				break;
			pick.push_back(id);
		}
		auto *cresp = resp->add_container_responses();
		for (const std::string &id : pick)
			cresp->add_deviceids(id);
	}
	return grpc::Status::OK;
}

grpc::Status AresPlugin::Allocate(grpc::ServerContext *, const v1beta1::AllocateRequest *req,
				  v1beta1::AllocateResponse *resp)
{
	std::map<std::string, Npu> devs = by_id(table_);

	for (const auto &creq : req->container_requests()) {
		auto *cresp = resp->add_container_responses();
		std::set<std::string> seen;
		std::string visible;

		if (creq.devices_ids().empty())
			return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
					    "a container request names no device");
		for (const std::string &id : creq.devices_ids()) {
			auto it = devs.find(id);

			if (it == devs.end())
				return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
						    "unknown device " + id);
			if (!seen.insert(id).second)
				return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
						    "device " + id + " requested twice");
			if (!it->second.healthy)
				return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
						    "device " + id +
							    " is unhealthy: " + it->second.why);
			const Npu &d = it->second;
			auto *spec = cresp->add_devices();
			spec->set_container_path(d.node);
			spec->set_host_path(d.node);
			spec->set_permissions("rw");
			cresp->add_cdi_devices()->set_name(cdi_kind_ + "=" +
							   std::to_string(d.index));
			// PCI addresses: the same in the container as on the host.
			visible += (visible.empty() ? "" : ",") + d.id;
		}
		(*cresp->mutable_envs())[kVisibleEnv] = visible;
	}
	return grpc::Status::OK;
}

grpc::Status AresPlugin::PreStartContainer(grpc::ServerContext *,
					   const v1beta1::PreStartContainerRequest *req,
					   v1beta1::PreStartContainerResponse *)
{
	std::map<std::string, Npu> devs = by_id(table_);

	// Not required (options()), but a call must still name real devices.
	for (const std::string &id : req->devices_ids())
		if (!devs.count(id))
			return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
					    "unknown device " + id);
	return grpc::Status::OK;
}

} // namespace ares_dp
