/* A stand-in for OpenWrt's ubus(1), built with musl as OpenWrt builds it, for
 * the seccomp test: what musl does to start a dynamically linked program, an
 * attempt at ubusd's socket, malloc and realloc of a large block (mmap,
 * mremap), stdio, and the answer of `ubus call network.interface.X status`
 * from the file $UBUS_FIXTURE on stdout. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	strncpy(a.sun_path, "/var/run/ubus/ubus.sock", sizeof(a.sun_path) - 1);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		poll(&p, 1, 10);
	}
	if (fd >= 0)
		close(fd);
	char *big = malloc(1 << 20);
	big = realloc(big, 4 << 20);
	free(big);
	const char *f = getenv("UBUS_FIXTURE");
	FILE *in = f ? fopen(f, "r") : NULL;
	if (!in) {
		fprintf(stderr, "Command failed: Not found\n");
		return 4;
	}
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(in);
	return 0;
}
