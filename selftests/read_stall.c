// SPDX-License-Identifier: GPL-2.0
/*
 * read_stall: a reader of /dev/klogfwd/<log> whose buffer faults forever
 * must not stall the log's producers.
 *
 * The log must hold at least one record. A thread read()s it into a page
 * registered with userfaultfd (missing mode), so the copy to the reader
 * blocks until this program resolves the fault, as a buffer backed by FUSE
 * would. While the fault is pending, a child appends one record. Exit 0 if
 * the append finished within the time limit, 1 if it was stuck (the fault
 * is then resolved, so nothing stays blocked), 4 if userfaultfd is not
 * available, 2 on other errors.
 *
 * With "gap N OUT": the reader's buffer is 1 MiB, only its first page
 * registered, and the child appends N records "seq=K" (K from 100000,
 * 200 bytes each) instead of one, enough for retention to delete the
 * records after the ones the stalled read() is copying. What the read()
 * returned is written to OUT for the caller to check.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static const char *dev;
static char *area;
static size_t area_len;
static long psize;
static ssize_t nread;
static int read_errno;

static void *reader(void *arg)
{
	int fd = open(dev, O_RDONLY);

	if (fd < 0) {
		read_errno = errno;
		nread = -1;
		return NULL;
	}
	nread = read(fd, area, area_len);
	read_errno = errno;
	close(fd);
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	struct uffdio_zeropage zp;
	struct uffd_msg msg;
	struct pollfd pfd;
	int uffd, status, stuck = 1, limit, gap = 0;
	const char *out = NULL;
	pthread_t th;
	double t0;
	pid_t pid;

	if (argc == 6 && !strcmp(argv[3], "gap")) {
		gap = atoi(argv[4]);
		out = argv[5];
	} else if (argc != 3) {
		fprintf(stderr, "usage: read_stall /dev/klogfwd/LOG SECONDS [gap N OUT]\n");
		return 2;
	}
	dev = argv[1];
	limit = atoi(argv[2]);
	psize = sysconf(_SC_PAGESIZE);
	area_len = gap ? 1 << 20 : psize;
	uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api)) {
		printf("userfaultfd unavailable: %s\n", strerror(errno));
		return 4;
	}
	/* the reader's buffer: its first page larger than any record we wrote */
	area = mmap(NULL, area_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		return 2;
	reg.range.start = (unsigned long)area;
	reg.range.len = psize;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg)) {
		printf("UFFDIO_REGISTER: %s\n", strerror(errno));
		return 4;
	}
	if (pthread_create(&th, NULL, reader, NULL))
		return 2;

	/* wait until the reader is blocked in the fault */
	pfd = (struct pollfd){ .fd = uffd, .events = POLLIN };
	if (poll(&pfd, 1, limit * 1000) != 1 || read(uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT) {
		printf("the reader never faulted (read returned %zd)\n", nread);
		return 2;
	}

	/* now a producer appends */
	t0 = now();
	pid = fork();
	if (pid == 0) {
		int fd = open(dev, O_WRONLY), i, n;
		char rec[256];

		if (!gap)
			_exit(fd < 0 || write(fd, "seq=999999 ts=0 appended during the stall\n", 42) != 42);
		for (i = 0; i < gap; i++) {
			n = snprintf(rec, sizeof(rec), "seq=%d ts=0 %0183d\n", 100000 + i, 0);
			if (fd < 0 || write(fd, rec, n) != n)
				_exit(1);
		}
		_exit(0);
	}
	while (now() - t0 < limit) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			stuck = 0;
			break;
		}
		usleep(50000);
	}
	printf("append %s (%.2f s)\n", stuck ? "stuck while the reader's fault was pending" :
	       WIFEXITED(status) && !WEXITSTATUS(status) ? "went through" : "failed",
	       now() - t0);

	/* resolve the fault: the reader finishes, and a stuck append with it */
	zp.range.start = (unsigned long)area;
	zp.range.len = psize;
	zp.mode = 0;
	if (ioctl(uffd, UFFDIO_ZEROPAGE, &zp) && errno != EEXIST)
		printf("UFFDIO_ZEROPAGE: %s\n", strerror(errno));
	pthread_join(th, NULL);
	if (stuck)
		waitpid(pid, &status, 0);
	printf("reader got %zd bytes%s%s\n", nread, nread < 0 ? ": " : "",
	       nread < 0 ? strerror(read_errno) : "");
	if (out && nread > 0) {
		FILE *f = fopen(out, "w");

		if (!f || fwrite(area, 1, nread, f) != (size_t)nread || fclose(f))
			return 2;
	}
	if (stuck || !WIFEXITED(status) || WEXITSTATUS(status) || nread <= 0)
		return 1;
	return 0;
}
