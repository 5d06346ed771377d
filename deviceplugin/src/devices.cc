// SPDX-License-Identifier: MIT
#include "devices.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <poll.h>
#include <unistd.h>

#include "accel.h"

namespace ares_dp
{

namespace
{

// First line of @path, or "" if it cannot be read (device going away).
std::string read_line(const std::string &path)
{
	std::ifstream f(path);
	std::string line;

	if (f)
		std::getline(f, line);
	return line;
}

} // namespace

DeviceTable::DeviceTable(std::string dev_dir, std::string sys_dir)
    : dev_dir_(std::move(dev_dir)), sys_dir_(std::move(sys_dir))
{
}

// The accelN names and the PCI addresses behind them: the enumeration
// (libpci for NUMA nodes) is redone only when this changes, so the
// periodic rescan costs a readdir and a few readlinks, not a PCI scan.
std::string DeviceTable::layout() const
{
	std::vector<std::string> names;
	std::string out;
	DIR *d = opendir(dev_dir_.c_str());
	struct dirent *de;

	if (!d)
		return out;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "accel", 5))
			names.push_back(de->d_name);
	closedir(d);
	std::sort(names.begin(), names.end());
	for (const std::string &n : names) {
		char target[PATH_MAX];
		std::string link = sys_dir_ + "/" + n + "/device";
		ssize_t len = readlink(link.c_str(), target, sizeof(target) - 1);

		target[len > 0 ? len : 0] = '\0';
		out += n + "=" + target + ";";
	}
	return out;
}

std::vector<Npu> DeviceTable::scan()
{
	std::string now = layout();

	if (now != enumerated_layout_) {
		std::vector<accel_device_entry> e;
		size_t n = 0;

		enumerated_.clear();
		enumerated_layout_ = now;
		layout_generation_++;
		// The node's own list, never a process's ARES_VISIBLE_DEVICES subset.
		if (!accel_enumerate_at(dev_dir_.c_str(), sys_dir_.c_str(), nullptr, 0, &n) && n) {
			e.resize(n);
			if (accel_enumerate_at(dev_dir_.c_str(), sys_dir_.c_str(), e.data(), n, &n))
				n = 0;
		}
		for (size_t i = 0; i < n && i < e.size(); i++) {
			Npu d;

			if (!e[i].pci_address[0])
				continue;
			d.id = e[i].pci_address;
			d.node = e[i].node;
			d.index = e[i].index;
			d.numa_node = e[i].numa_node;
			enumerated_.push_back(d);
		}
	}
	std::vector<Npu> out = enumerated_;
	for (Npu &d : out) {
		std::string ares = sys_dir_ + "/accel" + std::to_string(d.index) + "/device/ares/";
		std::string state = read_line(ares + "state");
		std::string recovering = read_line(ares + "recovering");

		if (recovering == "1")
			d.why = "reset in progress";
		else if (state != "running")
			d.why = state.empty() ? "no sysfs state" : "state " + state;
		d.healthy = d.why.empty();
	}
	return out;
}

void DeviceTable::refresh()
{
	uint64_t layout = layout_generation_;
	std::vector<Npu> now = scan();

	if (layout != layout_generation_ && layout_hook_)
		layout_hook_();
	std::map<std::string, Npu> merged;

	for (const Npu &d : now)
		merged[d.id] = d;
	std::lock_guard<std::mutex> lock(mu_);
	for (const Npu &old : devices_)
		if (!merged.count(old.id)) {
			Npu gone = old;
			gone.node.clear();
			gone.healthy = false;
			gone.why = "gone";
			merged[old.id] = gone;
		}
	std::vector<Npu> next;
	for (auto &kv : merged)
		next.push_back(kv.second);
	if (next != devices_) {
		devices_ = std::move(next);
		generation_++;
		changed_.notify_all();
	}
}

void DeviceTable::wait_event(std::chrono::milliseconds timeout) const
{
	std::vector<struct pollfd> fds;
	char buf[16];

	for (const Npu &d : snapshot(nullptr)) {
		if (d.node.empty())
			continue;
		std::string path =
			sys_dir_ + "/accel" + std::to_string(d.index) + "/device/ares/recovering";
		int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			continue;
		// sysfs arms POLLPRI by a read; a change after it wakes poll().
		if (pread(fd, buf, sizeof(buf), 0) < 0) {
			close(fd);
			continue;
		}
		fds.push_back({fd, POLLPRI | POLLERR, 0});
	}
	if (fds.empty())
		usleep((useconds_t)timeout.count() * 1000);
	else
		poll(fds.data(), fds.size(), (int)timeout.count());
	for (const struct pollfd &p : fds)
		close(p.fd);
}

std::vector<Npu> DeviceTable::snapshot(uint64_t *generation) const
{
	std::lock_guard<std::mutex> lock(mu_);

	if (generation)
		*generation = generation_;
	return devices_;
}

bool DeviceTable::wait_change(uint64_t seen, std::chrono::milliseconds timeout) const
{
	std::unique_lock<std::mutex> lock(mu_);

	return changed_.wait_for(lock, timeout, [&] { return generation_ != seen; });
}

} // namespace ares_dp
