/* SPDX-License-Identifier: MIT */
/*
 * ares-sim: the Ares NPU as a host process. It serves QEMU's
 * ivshmem-doorbell device (BAR2 = our register file, doorbells = eventfds),
 * reaches guest RAM through the memory-backend-file, executes control
 * commands, and runs the firmware on a CP child process.
 *
 * The main process is single-threaded (an epoll loop) so that fork() for
 * the CP is safe.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "ivshmem.h"
#include "machine.h"

enum sim_event {
	EV_LISTEN,
	EV_CLIENT,
	EV_SIGNAL,
	EV_CTRL_DOORBELL,
	EV_CP_NOTIFY,
	EV_BOOT_TIMER,
};

struct sim_options {
	const char *socket_path;
	const char *ram_path;
	const char *log_path;
	uint64_t below4g;
	int verbose;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: ares-sim --socket PATH --ram FILE [--ram-below-4g BYTES] [--log FILE] "
		   "[-v]\n"
		   "  --socket PATH        ivshmem server socket for QEMU's ivshmem-doorbell\n"
		   "  --ram FILE           guest RAM file (memory-backend-file,share=on)\n"
		   "  --ram-below-4g BYTES RAM below the 4 GiB hole (default min(size, 2 GiB))\n"
		   "  --log FILE           append the device log to FILE\n"
		   "  -v                   device log on stderr\n");
}

static int parse_options(int argc, char **argv, struct sim_options *o)
{
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 's'},
		{"ram", required_argument, NULL, 'r'},
		{"ram-below-4g", required_argument, NULL, 'b'},
		{"log", required_argument, NULL, 'l'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->socket_path = optarg;
			break;
		case 'r':
			o->ram_path = optarg;
			break;
		case 'b':
			errno = 0;
			o->below4g = strtoull(optarg, &end, 0);
			if (errno || *end || !o->below4g || o->below4g > (1ull << 32)) {
				fprintf(stderr, "ares-sim: --ram-below-4g: bad size '%s'\n",
					optarg);
				return -1;
			}
			break;
		case 'l':
			o->log_path = optarg;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (!o->socket_path || !o->ram_path || optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

static int epoll_add(int epfd, int fd, enum sim_event ev)
{
	struct epoll_event e = {.events = EPOLLIN, .data.u32 = ev};

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e);
}

static void drain_eventfd(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof(v)) == (ssize_t)sizeof(v))
		;
}

static int accept_client(struct sim_machine *m, const struct sim_options *o)
{
	struct sim_dev *d = &m->dev;
	int fd, ret;

	fd = accept4(m->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (!d->mem.base) {
		ret = sim_mem_map(&d->mem, o->ram_path, o->below4g);
		if (ret) {
			fprintf(stderr, "ares-sim: cannot map guest RAM %s: %s\n", o->ram_path,
				strerror(-ret));
			close(fd);
			return ret;
		}
		sim_log(d, "ram: mapped %s (%llu bytes, %llu below 4 GiB)", o->ram_path,
			(unsigned long long)d->mem.size, (unsigned long long)d->mem.below4g);
	}
	ret = sim_ivshmem_handshake(fd, m->shm_fd, d->db_fd, d->irq_fd);
	if (ret) {
		fprintf(stderr, "ares-sim: handshake failed: %s\n", strerror(-ret));
		close(fd);
		return ret;
	}
	/* Exactly one client: stop listening once it is here. */
	epoll_ctl(m->epoll_fd, EPOLL_CTL_DEL, m->listen_fd, NULL);
	close(m->listen_fd);
	m->listen_fd = -1;
	m->client_fd = fd;
	epoll_add(m->epoll_fd, fd, EV_CLIENT);
	sim_log(d, "ivshmem: client connected as peer %d", SIM_IVSHMEM_CLIENT_PEER);
	return 0;
}

/* Returns 1 when the client went away. */
static int client_event(struct sim_machine *m)
{
	char buf[64];
	ssize_t n = read(m->client_fd, buf, sizeof(buf));

	if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
		return 0;
	sim_log(&m->dev, "ivshmem: client disconnected");
	return 1;
}

/* Returns 1 on SIGTERM/SIGINT. */
static int signal_event(struct sim_machine *m)
{
	struct signalfd_siginfo si;
	int quit = 0;

	while (read(m->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			sim_ctrl_cp_reap(m);
		else
			quit = 1;
	}
	/* SIGCHLDs coalesce too. */
	sim_ctrl_cp_reap(m);
	return quit;
}

static int run(struct sim_machine *m, const struct sim_options *o)
{
	struct epoll_event evs[8];
	int i, n, ret;

	for (;;) {
		n = epoll_wait(m->epoll_fd, evs, 8, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (i = 0; i < n; i++) {
			switch (evs[i].data.u32) {
			case EV_LISTEN:
				ret = accept_client(m, o);
				if (ret)
					return ret;
				break;
			case EV_CLIENT:
				if (client_event(m))
					return 0;
				break;
			case EV_SIGNAL:
				if (signal_event(m)) {
					sim_log(&m->dev, "exiting on signal");
					return 0;
				}
				break;
			case EV_CTRL_DOORBELL:
				drain_eventfd(m->dev.db_fd[ARES_VEC_CTRL]);
				sim_ctrl_doorbell(m);
				break;
			case EV_CP_NOTIFY:
				sim_ctrl_cp_notify(m);
				break;
			case EV_BOOT_TIMER:
				sim_ctrl_boot_timeout(m);
				break;
			}
		}
	}
}

static int setup(struct sim_machine *m, const struct sim_options *o)
{
	struct sim_dev *d = &m->dev;
	int pipefd[2], i, ret;
	sigset_t mask;
	void *p;

	m->shm_fd = memfd_create("ares-bar2", MFD_CLOEXEC);
	if (m->shm_fd < 0 || ftruncate(m->shm_fd, ARES_BAR2_SIZE) < 0)
		return -errno;
	p = mmap(NULL, ARES_BAR2_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, m->shm_fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	d->regs = p;
	sim_regs_power_on(d);

	ret = sim_mem_map(&d->mem, o->ram_path, o->below4g);
	if (ret)
		sim_log(d, "ram: %s not mappable yet (%s), retrying when the client connects",
			o->ram_path, strerror(-ret));

	for (i = 0; i < ARES_NUM_VECTORS; i++) {
		d->db_fd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		d->irq_fd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (d->db_fd[i] < 0 || d->irq_fd[i] < 0)
			return -errno;
	}
	if (pipe2(pipefd, O_NONBLOCK | O_CLOEXEC) < 0)
		return -errno;
	m->notify_rd = pipefd[0];
	m->notify_wr = pipefd[1];

	/* Signals arrive through the epoll loop, never asynchronously. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	m->signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	m->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	m->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (m->signal_fd < 0 || m->timer_fd < 0 || m->epoll_fd < 0)
		return -errno;

	m->listen_fd = sim_ivshmem_listen(o->socket_path);
	if (m->listen_fd < 0)
		return m->listen_fd;
	if (epoll_add(m->epoll_fd, m->listen_fd, EV_LISTEN) ||
	    epoll_add(m->epoll_fd, m->signal_fd, EV_SIGNAL) ||
	    epoll_add(m->epoll_fd, d->db_fd[ARES_VEC_CTRL], EV_CTRL_DOORBELL) ||
	    epoll_add(m->epoll_fd, m->notify_rd, EV_CP_NOTIFY) ||
	    epoll_add(m->epoll_fd, m->timer_fd, EV_BOOT_TIMER))
		return -errno;
	sim_log(d, "listening on %s, ram %s (%llu bytes, %llu below 4 GiB)", o->socket_path,
		o->ram_path, (unsigned long long)d->mem.size, (unsigned long long)d->mem.below4g);
	return 0;
}

static void teardown(struct sim_machine *m, const struct sim_options *o)
{
	int i;

	sim_ctrl_stop_cp(m);
	if (o->socket_path)
		unlink(o->socket_path);
	for (i = 0; i < ARES_NUM_VECTORS; i++) {
		if (m->dev.db_fd[i] >= 0)
			close(m->dev.db_fd[i]);
		if (m->dev.irq_fd[i] >= 0)
			close(m->dev.irq_fd[i]);
	}
	if (m->client_fd >= 0)
		close(m->client_fd);
	if (m->listen_fd >= 0)
		close(m->listen_fd);
	sim_mem_unmap(&m->dev.mem);
	if (m->dev.regs)
		munmap(m->dev.regs, ARES_BAR2_SIZE);
}

int main(int argc, char **argv)
{
	struct sim_options o = {0};
	struct sim_machine m;
	int i, ret, log_fd = -1;

	if (parse_options(argc, argv, &o))
		return 2;
	if (o.log_path) {
		log_fd = open(o.log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (log_fd < 0) {
			fprintf(stderr, "ares-sim: cannot open log %s: %s\n", o.log_path,
				strerror(errno));
			return 1;
		}
	} else if (o.verbose) {
		log_fd = STDERR_FILENO;
	}
	memset(&m, 0, sizeof(m));
	m.shm_fd = m.listen_fd = m.client_fd = m.epoll_fd = -1;
	m.signal_fd = m.timer_fd = m.notify_rd = m.notify_wr = -1;
	for (i = 0; i < ARES_NUM_VECTORS; i++)
		m.dev.db_fd[i] = m.dev.irq_fd[i] = -1;
	m.dev.log_fd = log_fd;
	m.dev.verbose = o.verbose;
	/* Fix the device clock's epoch before any fork. */
	sim_now_ns();

	ret = setup(&m, &o);
	if (ret) {
		fprintf(stderr, "ares-sim: setup failed: %s\n", strerror(-ret));
		teardown(&m, &o);
		return 1;
	}
	ret = run(&m, &o);
	teardown(&m, &o);
	if (ret) {
		fprintf(stderr, "ares-sim: %s\n", strerror(-ret));
		return 1;
	}
	return 0;
}
