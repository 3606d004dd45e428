// SPDX-License-Identifier: GPL-2.0
/*
 * klf_idmap SRC DST UID_MAP: bind-mount SRC at DST as an idmapped mount
 * (mount_setattr(MOUNT_ATTR_IDMAP)) whose user namespace has UID_MAP as
 * both its uid_map and gid_map, e.g. "1000 0 1": what SRC's filesystem
 * stores as 1000 is seen (and written) through DST as 0. For hostile_dir.sh.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/wait.h>

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	close(fd);
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP };
	char path[64], map[64];
	int pipefd[2], userns, tree, status;
	pid_t pid;
	char c;

	if (argc != 4) {
		fprintf(stderr, "usage: klf_idmap SRC DST UID_MAP\n");
		return 2;
	}
	snprintf(map, sizeof(map), "%s\n", argv[3]);
	if (pipe(pipefd))
		return perror("pipe"), 1;
	pid = fork();
	if (pid < 0)
		return perror("fork"), 1;
	if (!pid) {
		/* a user namespace that lives until the parent has its fd */
		close(pipefd[1]);
		if (unshare(CLONE_NEWUSER))
			_exit(1);
		read(pipefd[0], &c, 1);
		_exit(0);
	}
	close(pipefd[0]);
	usleep(100000);
	snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
	if (write_file(path, map))
		return perror(path), 1;
	snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
	if (write_file(path, map))
		return perror(path), 1;
	snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
	userns = open(path, O_RDONLY | O_CLOEXEC);
	if (userns < 0)
		return perror(path), 1;
	close(pipefd[1]);
	waitpid(pid, &status, 0);

	tree = open_tree(AT_FDCWD, argv[1], OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return perror("open_tree"), 1;
	attr.userns_fd = userns;
	if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)))
		return perror("mount_setattr(MOUNT_ATTR_IDMAP)"), 1;
	if (move_mount(tree, "", AT_FDCWD, argv[2], MOVE_MOUNT_F_EMPTY_PATH))
		return perror("move_mount"), 1;
	return 0;
}
