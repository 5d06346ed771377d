/* SPDX-License-Identifier: MIT */
/*
 * ivshmem server protocol as QEMU 7.2's ivshmem-doorbell expects it: each
 * message is one little-endian int64 with at most one fd, in the order
 * version, own id, shared memory, other peers' eventfds, own eventfds.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ivshmem.h"

#define SIM_IVSHMEM_PROTOCOL_VERSION 0

/* The socket appears at @path only once it is listening, so a waiter can connect at once. */
int sim_ivshmem_listen(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char tmp[sizeof(sa.sun_path)];
	int fd, ret;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memcpy(sa.sun_path, tmp, strlen(tmp) + 1);
	unlink(tmp);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto err;
	if (listen(fd, 1) < 0)
		goto err_unlink;
	if (rename(tmp, path) < 0)
		goto err_unlink;
	return fd;
err_unlink:
	ret = -errno;
	unlink(tmp);
	close(fd);
	return ret;
err:
	ret = -errno;
	close(fd);
	return ret;
}

static int send_msg(int cfd, int64_t value, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = &value, .iov_len = sizeof(value)};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *cmsg;

	/* x86-64 is little-endian, so value is already on the wire format. */
	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	if (sendmsg(cfd, &msg, MSG_NOSIGNAL) != (ssize_t)sizeof(value))
		return -errno ? -errno : -EIO;
	return 0;
}

int sim_ivshmem_handshake(int cfd, int shm_fd, const int dev_fds[ARES_NUM_VECTORS],
			  const int client_fds[ARES_NUM_VECTORS])
{
	int i, ret;

	ret = send_msg(cfd, SIM_IVSHMEM_PROTOCOL_VERSION, -1);
	if (!ret)
		ret = send_msg(cfd, SIM_IVSHMEM_CLIENT_PEER, -1);
	if (!ret)
		ret = send_msg(cfd, -1, shm_fd);
	for (i = 0; !ret && i < ARES_NUM_VECTORS; i++)
		ret = send_msg(cfd, SIM_IVSHMEM_DEVICE_PEER, dev_fds[i]);
	for (i = 0; !ret && i < ARES_NUM_VECTORS; i++)
		ret = send_msg(cfd, SIM_IVSHMEM_CLIENT_PEER, client_fds[i]);
	return ret;
}
