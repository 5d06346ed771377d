// SPDX-License-Identifier: MIT
//
// The DevicePlugin service kubelet calls on the plugin's socket.
#ifndef ARES_DP_PLUGIN_H
#define ARES_DP_PLUGIN_H

#include <atomic>
#include <string>

#include "api.grpc.pb.h"
#include "devices.h"

namespace ares_dp
{

constexpr const char *kApiVersion = "v1beta1";
constexpr const char *kHealthy = "Healthy";
constexpr const char *kUnhealthy = "Unhealthy";
constexpr const char *kVisibleEnv = "ARES_VISIBLE_DEVICES";

class AresPlugin final : public v1beta1::DevicePlugin::Service
{
      public:
	AresPlugin(DeviceTable &table, std::string cdi_kind);

	// Ends every ListAndWatch stream (the server is being replaced).
	void stop()
	{
		stopping_ = true;
	}

	grpc::Status GetDevicePluginOptions(grpc::ServerContext *ctx, const v1beta1::Empty *req,
					    v1beta1::DevicePluginOptions *resp) override;
	grpc::Status
	ListAndWatch(grpc::ServerContext *ctx, const v1beta1::Empty *req,
		     grpc::ServerWriter<v1beta1::ListAndWatchResponse> *writer) override;
	grpc::Status GetPreferredAllocation(grpc::ServerContext *ctx,
					    const v1beta1::PreferredAllocationRequest *req,
					    v1beta1::PreferredAllocationResponse *resp) override;
	grpc::Status Allocate(grpc::ServerContext *ctx, const v1beta1::AllocateRequest *req,
			      v1beta1::AllocateResponse *resp) override;
	grpc::Status PreStartContainer(grpc::ServerContext *ctx,
				       const v1beta1::PreStartContainerRequest *req,
				       v1beta1::PreStartContainerResponse *resp) override;

	static v1beta1::DevicePluginOptions options();

      private:
	DeviceTable &table_;
	const std::string cdi_kind_;
	std::atomic<bool> stopping_{false};
};

} // namespace ares_dp

#endif
