/* sd_notify(3) over an AF_UNIX datagram (see sd_notify.h). */
#include "engine/sd_notify.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/util.h"

int sd_notify_send(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	if (!path || !*path)
		return 0;
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	size_t len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof(addr.sun_path))
		return -1;
	memcpy(addr.sun_path, path, len);
	if (path[0] == '@') /* Linux's abstract namespace: the name starts with a NUL byte */
		addr.sun_path[0] = '\0';
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	ssize_t n = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (const struct sockaddr *)&addr,
	                   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
	close(fd);
	return n < 0 ? -1 : 1;
}

int64_t sd_watchdog_interval_ms(void)
{
	const char *usec = getenv("WATCHDOG_USEC");
	const char *pid = getenv("WATCHDOG_PID");
	int64_t us, owner;
	if (!usec || !parse_int64(usec, &us) || us <= 0)
		return 0;
	if (pid && *pid && (!parse_int64(pid, &owner) || owner != (int64_t)getpid()))
		return 0;
	return us / 2000 > 0 ? us / 2000 : 1;
}
