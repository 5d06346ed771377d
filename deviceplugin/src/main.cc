// SPDX-License-Identifier: MIT
//
// ares-device-plugin: advertises this node's Ares NPUs to kubelet as
// resource ares.dev/npu over the device-plugin API v1beta1 (see
// deviceplugin/README.md and docs/kubernetes.md).
//
// One loop, every --poll-ms and at once when a device's sysfs `recovering`
// changes: rescan the devices (health changes reach open ListAndWatch
// streams at once), and check kubelet's socket: when kubelet
// restarts it recreates kubelet.sock and removes the plugins' sockets, so a
// new inode, or our socket gone, means serve again and register again.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <getopt.h>
#include <memory>
#include <string>
#include <cerrno>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <grpcpp/grpcpp.h>

#include "api.grpc.pb.h"
#include "devices.h"
#include "plugin.h"

namespace
{

volatile std::sig_atomic_t quit_signal;

void on_signal(int sig)
{
	quit_signal = sig;
}

struct Options {
	std::string socket_dir = "/var/lib/kubelet/device-plugins";
	std::string endpoint = "ares-npu.sock";
	std::string resource = "ares.dev/npu";
	std::string dev_dir = "/dev/accel";
	std::string sys_dir = "/sys/class/accel";
	long poll_ms = 200;
	std::string cdi_spec;		   // "" = do not write one
	std::string accelctl = "accelctl"; // writes it
};

void usage(FILE *f)
{
	fprintf(f,
		"usage: ares-device-plugin [--socket-dir DIR] [--endpoint NAME] [--resource NAME]\n"
		"                          [--poll-ms MS] [--dev-dir DIR] [--sys-dir DIR]\n"
		"defaults: --socket-dir /var/lib/kubelet/device-plugins --endpoint ares-npu.sock\n"
		"          --resource ares.dev/npu --poll-ms 200\n");
}

// A DNS-subdomain "/" name, as kubelet requires of an extended resource.
bool valid_resource(const std::string &r)
{
	size_t slash = r.find('/');

	if (slash == std::string::npos || slash == 0 || slash + 1 == r.size() ||
	    r.find('/', slash + 1) != std::string::npos || r.size() > 253)
		return false;
	for (char c : r)
		if (!(isalnum((unsigned char)c) || c == '.' || c == '-' || c == '/' || c == '_'))
			return false;
	return true;
}

int parse(int argc, char **argv, Options *o)
{
	static const struct option opts[] = {
		{"socket-dir", required_argument, nullptr, 's'},
		{"endpoint", required_argument, nullptr, 'e'},
		{"resource", required_argument, nullptr, 'r'},
		{"poll-ms", required_argument, nullptr, 'p'},
		{"dev-dir", required_argument, nullptr, 'D'},
		{"sys-dir", required_argument, nullptr, 'S'},
		{"cdi-spec", required_argument, nullptr, 'c'},
		{"accelctl", required_argument, nullptr, 'a'},
		{"help", no_argument, nullptr, 'h'},
		{nullptr, 0, nullptr, 0},
	};
	int opt;
	char *end;

	while ((opt = getopt_long(argc, argv, "h", opts, nullptr)) != -1) {
		switch (opt) {
		case 's':
			o->socket_dir = optarg;
			break;
		case 'e':
			o->endpoint = optarg;
			if (o->endpoint.empty() || o->endpoint.find('/') != std::string::npos) {
				fprintf(stderr,
					"ares-device-plugin: --endpoint wants a file name, got "
					"\"%s\"\n",
					optarg);
				return 2;
			}
			break;
		case 'r':
			o->resource = optarg;
			if (!valid_resource(o->resource)) {
				fprintf(stderr,
					"ares-device-plugin: --resource wants DOMAIN/NAME, got "
					"\"%s\"\n",
					optarg);
				return 2;
			}
			break;
		case 'p':
			o->poll_ms = strtol(optarg, &end, 10);
			if (*end || o->poll_ms < 10 || o->poll_ms > 1000) {
				fprintf(stderr,
					"ares-device-plugin: --poll-ms wants 10 to 1000, got "
					"\"%s\"\n",
					optarg);
				return 2;
			}
			break;
		case 'D':
			o->dev_dir = optarg;
			break;
		case 'S':
			o->sys_dir = optarg;
			break;
		case 'c':
			o->cdi_spec = optarg;
			break;
		case 'a':
			o->accelctl = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "ares-device-plugin: unexpected argument \"%s\"\n", argv[optind]);
		return 2;
	}
	return 0;
}

// The plugin's gRPC server on its socket; replaced whole on kubelet restart.
class Serving
{
      public:
	Serving(ares_dp::DeviceTable &table, const Options &o)
	{
		path_ = o.socket_dir + "/" + o.endpoint;
		unlink(path_.c_str());
		plugin_ = std::make_unique<ares_dp::AresPlugin>(table, o.resource);
		grpc::ServerBuilder b;
		b.AddListeningPort("unix://" + path_, grpc::InsecureServerCredentials());
		b.RegisterService(plugin_.get());
		server_ = b.BuildAndStart();
	}
	~Serving()
	{
		plugin_->stop();
		if (server_) {
			server_->Shutdown(std::chrono::system_clock::now() +
					  std::chrono::seconds(2));
			server_->Wait();
		}
		unlink(path_.c_str());
	}
	bool ok() const
	{
		return server_ != nullptr;
	}
	bool socket_present() const
	{
		struct stat st;

		return !stat(path_.c_str(), &st) && S_ISSOCK(st.st_mode);
	}

      private:
	std::string path_;
	std::unique_ptr<ares_dp::AresPlugin> plugin_;
	std::unique_ptr<grpc::Server> server_;
};

bool register_with_kubelet(const Options &o)
{
	auto channel = grpc::CreateChannel("unix://" + o.socket_dir + "/kubelet.sock",
					   grpc::InsecureChannelCredentials());
	auto stub = v1beta1::Registration::NewStub(channel);
	v1beta1::RegisterRequest req;
	v1beta1::Empty resp;
	grpc::ClientContext ctx;

	req.set_version(ares_dp::kApiVersion);
	req.set_endpoint(o.endpoint);
	req.set_resource_name(o.resource);
	*req.mutable_options() = ares_dp::AresPlugin::options();
	ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
	grpc::Status st = stub->Register(&ctx, req, &resp);
	if (!st.ok()) {
		fprintf(stderr, "ares-device-plugin: Register with %s/kubelet.sock: %s\n",
			o.socket_dir.c_str(), st.error_message().c_str());
		return false;
	}
	fprintf(stderr, "ares-device-plugin: registered %s on %s/%s\n", o.resource.c_str(),
		o.socket_dir.c_str(), o.endpoint.c_str());
	return true;
}

// Allocate names CDI devices by node index, which a hot-plug can change:
// the spec is rewritten (atomically, by accelctl) whenever the layout does.
void write_cdi_spec(const Options &o)
{
	const char *argv[] = {o.accelctl.c_str(), "cdi",  "generate", "--output",
			      o.cdi_spec.c_str(), nullptr};
	pid_t pid;
	int status = 0;

	if (posix_spawnp(&pid, argv[0], nullptr, nullptr, const_cast<char **>(argv), environ)) {
		fprintf(stderr, "ares-device-plugin: cannot run %s: %s\n", argv[0],
			strerror(errno));
		return;
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    (WEXITSTATUS(status) && WEXITSTATUS(status) != 3))
		fprintf(stderr,
			"ares-device-plugin: %s cdi generate --output %s failed (status %d)\n",
			argv[0], o.cdi_spec.c_str(), status);
	else
		fprintf(stderr, "ares-device-plugin: wrote CDI spec %s\n", o.cdi_spec.c_str());
}

// Identity of kubelet.sock: a restarted kubelet makes a new one.
ino_t kubelet_inode(const Options &o)
{
	struct stat st;

	if (stat((o.socket_dir + "/kubelet.sock").c_str(), &st) || !S_ISSOCK(st.st_mode))
		return 0;
	return st.st_ino;
}

} // namespace

int main(int argc, char **argv)
{
	Options o;
	int ret = parse(argc, argv, &o);

	if (ret)
		return ret;
	struct sigaction sa = {};
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, nullptr);
	sigaction(SIGINT, &sa, nullptr);
	signal(SIGPIPE, SIG_IGN);

	ares_dp::DeviceTable table(o.dev_dir, o.sys_dir);
	if (!o.cdi_spec.empty())
		table.on_layout_change([&o] { write_cdi_spec(o); });
	table.refresh();
	std::unique_ptr<Serving> serving;
	ino_t registered = 0;
	auto next_try = std::chrono::steady_clock::now();

	while (!quit_signal) {
		ino_t kubelet = kubelet_inode(o);

		auto now = std::chrono::steady_clock::now();

		if (kubelet && (kubelet != registered || !serving || !serving->socket_present()) &&
		    now >= next_try) {
			serving.reset();
			serving = std::make_unique<Serving>(table, o);
			if (!serving->ok()) {
				fprintf(stderr, "ares-device-plugin: cannot serve on %s/%s\n",
					o.socket_dir.c_str(), o.endpoint.c_str());
				return 1;
			}
			registered = register_with_kubelet(o) ? kubelet : 0;
			if (!registered)
				next_try = now + std::chrono::seconds(1);
		}
		table.wait_event(std::chrono::milliseconds(o.poll_ms));
		table.refresh();
	}
	fprintf(stderr, "ares-device-plugin: signal %d, stopping\n", (int)quit_signal);
	serving.reset();
	return 0;
}
