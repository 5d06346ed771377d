// SPDX-License-Identifier: MIT
//
// The Ares devices of this node and their health, as the driver reports
// them: a device is Healthy when its node exists, sysfs `state` is
// `running` and `recovering` is 0. A device seen once stays in the table
// when it disappears (PCI remove, unbind), Unhealthy, so kubelet stops
// placing pods on it but keeps counting it until it comes back.
#ifndef ARES_DP_DEVICES_H
#define ARES_DP_DEVICES_H

#include <condition_variable>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace ares_dp
{

struct Npu {
	std::string id;	    // PCI address: stable across resets, rebinds and rescans
	std::string node;   // /dev/accel/accelN now ("" while gone)
	unsigned index = 0; // N of accelN now
	int numa_node = -1;
	bool healthy = false;
	std::string why; // why not healthy ("" when healthy)

	bool operator==(const Npu &o) const
	{
		return id == o.id && node == o.node && index == o.index &&
		       numa_node == o.numa_node && healthy == o.healthy && why == o.why;
	}
};

class DeviceTable
{
      public:
	DeviceTable(std::string dev_dir, std::string sys_dir);

	// Scans the devices once; wakes watchers if anything changed.
	void refresh();
	// Called by refresh() when the node layout changed, before the new
	// list is published (a CDI spec must name a device before kubelet
	// can allocate it).
	void on_layout_change(std::function<void()> hook)
	{
		layout_hook_ = std::move(hook);
	}
	// Sleeps until a device's sysfs `recovering` changes (the driver
	// notifies both edges of a reset, which can be shorter than any poll
	// period) or @timeout passes.
	void wait_event(std::chrono::milliseconds timeout) const;
	// The devices (sorted by id) and the generation they belong to.
	std::vector<Npu> snapshot(uint64_t *generation) const;
	// Waits until the generation differs from @seen or @timeout passes.
	bool wait_change(uint64_t seen, std::chrono::milliseconds timeout) const;
	// Counts node layout changes (devices added, removed, renumbered).
	uint64_t layout_generation() const
	{
		return layout_generation_;
	}

      private:
	std::vector<Npu> scan();
	std::string layout() const;

	const std::string dev_dir_, sys_dir_;
	mutable std::mutex mu_; // protects devices_ and generation_
	mutable std::condition_variable changed_;
	std::vector<Npu> devices_;
	uint64_t generation_ = 0;
	// Last enumeration and the node layout it was made for (refresh only).
	std::vector<Npu> enumerated_;
	std::string enumerated_layout_;
	uint64_t layout_generation_ = 0;
	std::function<void()> layout_hook_;
};

} // namespace ares_dp

#endif
