// SPDX-License-Identifier: GPL-2.0
/*
 * The client certificate and private key of a TLS target ("target add ...
 * tls cert FILE key FILE"). They never go through netlink: the CLI puts
 * each file in a key of type user in the caller's user keyring (@u),
 * described "klogfwd:" and the file's absolute path, and sends the key's
 * serial. The module checks that the caller may read the key and keeps a
 * reference; the handshake agent reads it when it does a handshake.
 *
 * The keys hold DER, as the upcall's convention is (ktls-utils' tlshd
 * reads nothing else): a PEM file is decoded here, its first block taken
 * (a certificate chain's leaf: the upcall passes one certificate), and
 * an encrypted private key refused (no agent has its passphrase).
 *
 * A second add of the same file updates the same key (add_key() of a
 * description that exists replaces its payload): its serial does not
 * change, and the targets that use it get the new content at their next
 * handshake. The key is readable by its possessor and by its owner's uid
 * (root: the agent, whatever its session keyring), by no one else.
 *
 * A pre-shared key ("psk FILE", TLS 1.3 PSK) goes the same way, from the
 * first line IDENTITY:HEXKEY of FILE (what psktool(1) writes, and
 * gnutls-serv --pskpasswd reads): the key holds the key's bytes, and is
 * described "klogfwd-psk:" PATH ";" IDENTITY, as the upcall's convention
 * has the identity after the description's last ';' (ktls-utils' tlshd
 * reads it there too).
 *
 * "target show" and "save" name the file again, from the key's
 * description; a key that this CLI did not make is shown as key:SERIAL,
 * which "cert", "key" and "psk" also take.
 */
#define _GNU_SOURCE		/* memmem */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/keyctl.h>
#include <linux/klogfwd.h>

#include "subcommands.h"
#include "tlskey.h"

#define KEY_DESC_PREFIX		"klogfwd:"
#define PSK_DESC_PREFIX		"klogfwd-psk:"
/* a pre-shared key: KLOGFWD_TLS_PSK_MIN to 64 bytes; its identity: at most 128 characters */
#define PSK_MAX			64
#define PSK_IDENTITY_MAX	128
/* the largest payload of a key of type user */
#define KEY_USER_MAX		32767
/* the largest file read: PEM is a third larger than its DER */
#define KEY_FILE_MAX		65536

/* possessor: all; owner's uid: view, read, search */
#define KEY_PERM_TLS		(0x3f000000 | 0x00010000 | 0x00020000 | 0x00080000)

/* "key:N": *serial = N; 1 if @val is not of that form */
static int tls_key_serial(const char *val, uint32_t *serial)
{
	unsigned long v;
	char *end;

	if (strncmp(val, "key:", 4) || !val[4])
		return 1;
	errno = 0;
	v = strtoul(val + 4, &end, 10);
	if (errno || *end || !v || v > INT32_MAX || val[4] == '-' || val[4] == '+')
		return -EINVAL;
	*serial = v;
	return 0;
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * DER from the file read into @buf (@len bytes), in place: the first
 * PEM block, decoded, if it is a certificate (@cert) or a private key, or
 * DER as it is. Sets *@blocks to the PEM certificates in the file.
 * Returns the DER length, or -1 with a reason in *@why.
 */
static ssize_t tls_key_der(char *buf, size_t len, bool cert, unsigned int *blocks,
			   const char **why)
{
	static const char *const key_labels[] = {
		"PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY", NULL,
	};
	char *begin, *p, *end, *eol, *label;
	unsigned int acc = 0, bits = 0, i;
	size_t out = 0;
	bool ok;
	int v;

	*blocks = 0;
	for (p = buf; (p = memmem(p, buf + len - p, "-----BEGIN CERTIFICATE-----", 27)); p++)
		(*blocks)++;
	begin = memmem(buf, len, "-----BEGIN ", 11);
	if (!begin) {
		/* DER: an ASN.1 SEQUENCE */
		if ((unsigned char)buf[0] != 0x30) {
			*why = "neither PEM nor DER";
			return -1;
		}
		return len;
	}
	label = begin + 11;
	eol = memchr(label, '\n', buf + len - label);
	p = eol ? memmem(label, eol - label, "-----", 5) : NULL;
	if (!p) {
		*why = "a malformed PEM header";
		return -1;
	}
	*p = '\0';
	ok = false;
	if (cert) {
		ok = !strcmp(label, "CERTIFICATE");
	} else {
		for (i = 0; key_labels[i]; i++)
			ok = ok || !strcmp(label, key_labels[i]);
	}
	if (!ok) {
		*why = !strcmp(label, "ENCRYPTED PRIVATE KEY") ?
		       "an encrypted private key: the agent has no passphrase" :
		       cert ? "its first PEM block is not a CERTIFICATE" :
		       "its first PEM block is not a PRIVATE KEY";
		return -1;
	}
	end = memmem(eol, buf + len - eol, "-----END ", 9);
	if (!end) {
		*why = "a PEM block without its END line";
		return -1;
	}
	if (memmem(eol, end - eol, "Proc-Type:", 10)) {
		*why = "an encrypted private key: the agent has no passphrase";
		return -1;
	}
	for (p = eol; p < end; p++) {
		if (*p == '=')
			break;
		if (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')
			continue;
		v = b64_value(*p);
		if (v < 0) {
			*why = "a PEM block with a character that is not base64";
			return -1;
		}
		acc = acc << 6 | v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			/* in place: the output is behind the input */
			buf[out++] = acc >> bits & 0xff;
		}
	}
	if (!out || (unsigned char)buf[0] != 0x30) {
		*why = "a PEM block that does not decode to DER";
		return -1;
	}
	return out;
}

/**
 * tls_key_check() - check a cert or key argument before any key is made
 * @val: FILE or key:SERIAL
 *
 * Return: 0, or an errno: EINVAL for a malformed key:SERIAL, else that of
 * access(2) for FILE.
 */
int tls_key_check(const char *val)
{
	uint32_t serial;
	int ret = tls_key_serial(val, &serial);

	if (ret <= 0)
		return -ret;
	return access(val, R_OK) ? errno : 0;
}

/*
 * Read FILE @val (at most @size - 1 bytes; more is an error) into @buf,
 * its absolute path into @path. Returns the length, or -1 after a message.
 */
static ssize_t tls_file_read(const char *op, const char *kw, const char *val,
			     char path[PATH_MAX], char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n = 0;
	int fd, err;

	if (!realpath(val, path)) {
		errmsg("%s: %s %s: %s", op, kw, val, strerror(errno));
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		errmsg("%s: %s %s: %s", op, kw, val, strerror(errno));
		return -1;
	}
	while (len < size && (n = read(fd, buf + len, size - len)) > 0)
		len += n;
	err = n < 0 ? errno : 0;
	close(fd);
	if (err || !len || len == size) {
		if (err)
			errmsg("%s: %s %s: %s", op, kw, val, strerror(err));
		else if (!len)
			errmsg("%s: %s %s: the file is empty", op, kw, val);
		else
			errmsg("%s: %s %s: larger than %zu bytes", op, kw, val, size - 1);
		explicit_bzero(buf, len);
		return -1;
	}
	return len;
}

/*
 * @len bytes of @data into the key of type user @desc of the user keyring
 * (added, or updated if it exists), readable as KEY_PERM_TLS says; its
 * serial into *@serial. Returns 0, or KF_EXIT_ERROR after a message.
 */
static int tls_key_add(const char *op, const char *kw, const char *val, const char *desc,
		       const void *data, size_t len, uint32_t *serial)
{
	long ret;

	ret = syscall(SYS_add_key, "user", desc, data, len, KEY_SPEC_USER_KEYRING);
	if (ret < 0) {
		errmsg("%s: %s %s: cannot put it in a key of the user keyring: %s", op, kw,
		       val, strerror(errno));
		return KF_EXIT_ERROR;
	}
	*serial = ret;
	if (syscall(SYS_keyctl, KEYCTL_SETPERM, (long)*serial, (long)KEY_PERM_TLS) < 0) {
		errmsg("%s: %s %s: cannot set the permissions of key %" PRIu32 ": %s", op, kw,
		       val, *serial, strerror(errno));
		return KF_EXIT_ERROR;
	}
	return 0;
}

/**
 * tls_key_load() - the key of a cert or key argument
 * @op: "target add", for messages
 * @kw: "cert" or "key", for messages
 * @val: FILE, or key:SERIAL for a key that exists
 * @serial: set to the key's serial
 *
 * FILE (PEM or DER) goes as DER (at most 32767 bytes, the most a key of
 * type user holds) into the key "klogfwd:PATH" of the user keyring, PATH
 * its absolute path; the copy read is wiped.
 *
 * Return: 0, or KF_EXIT_ERROR after a message.
 */
int tls_key_load(const char *op, const char *kw, const char *val, uint32_t *serial)
{
	char desc[sizeof(KEY_DESC_PREFIX) + PATH_MAX];
	static char buf[KEY_FILE_MAX + 1];
	const char *why = NULL;
	unsigned int blocks = 0;
	char path[PATH_MAX];
	ssize_t len, der;
	int ret;

	ret = tls_key_serial(val, serial);
	if (ret <= 0)
		return ret ? KF_EXIT_ERROR : 0;
	len = tls_file_read(op, kw, val, path, buf, sizeof(buf));
	if (len < 0)
		return KF_EXIT_ERROR;
	der = tls_key_der(buf, len, !strcmp(kw, "cert"), &blocks, &why);
	if (der < 0 || der > KEY_USER_MAX) {
		if (der < 0)
			errmsg("%s: %s %s: %s", op, kw, val, why);
		else
			errmsg("%s: %s %s: larger than a key holds (at most %d bytes of DER)", op,
			       kw, val, KEY_USER_MAX);
		explicit_bzero(buf, sizeof(buf));
		return KF_EXIT_ERROR;
	}
	if (blocks > 1 && !strcmp(kw, "cert"))
		errmsg("%s: cert %s: %u certificates: the first is sent, without the chain", op,
		       val, blocks);
	snprintf(desc, sizeof(desc), KEY_DESC_PREFIX "%s", path);
	ret = tls_key_add(op, kw, val, desc, buf, der, serial);
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The first line IDENTITY:HEXKEY of @buf (blank lines and lines starting
 * with '#' skipped): *@id points at the identity, NUL-terminated in
 * place, @key gets the key's bytes. *@more is set if other lines of keys
 * follow. Returns the key's length, or -1 with a reason in *@why.
 */
static ssize_t tls_psk_parse(char *buf, size_t len, const char **id,
			     unsigned char key[PSK_MAX], bool *more, const char **why)
{
	char *line = buf, *end = buf + len, *eol, *colon, *p, *id_line;
	size_t n = 0;
	int hi, lo;

	*more = false;
	for (; line < end; line = eol + 1) {
		eol = memchr(line, '\n', end - line);
		if (!eol)
			eol = end;
		if (eol > line && eol[-1] == '\r')
			eol[-1] = '\0';
		*eol = '\0';
		if (*line && *line != '#')
			break;
	}
	if (line >= end) {
		*why = "no line IDENTITY:HEXKEY";
		return -1;
	}
	id_line = line;
	colon = strchr(line, ':');
	if (!colon || colon == line) {
		*why = "its first line is not IDENTITY:HEXKEY";
		return -1;
	}
	*colon = '\0';
	if (colon - line > PSK_IDENTITY_MAX) {
		*why = "an identity longer than 128 characters";
		return -1;
	}
	for (p = line; p < colon; p++) {
		if (*p < 0x21 || *p > 0x7e || *p == ';') {
			*why = "an identity with a space, a ';' or a character that is not printable ASCII";
			return -1;
		}
	}
	for (p = colon + 1; *p; p += 2) {
		hi = hex_value(p[0]);
		lo = hi < 0 ? -1 : hex_value(p[1]);
		if (lo < 0) {
			*why = "a key that is not an even number of hexadecimal digits";
			return -1;
		}
		if (n == PSK_MAX) {
			*why = "a key longer than 64 bytes";
			return -1;
		}
		key[n++] = hi << 4 | lo;
	}
	if (n < KLOGFWD_TLS_PSK_MIN) {
		*why = "a key shorter than 16 bytes (128 bits)";
		return -1;
	}
	for (line = eol + 1; line < end; line = eol + 1) {
		eol = memchr(line, '\n', end - line);
		if (!eol)
			eol = end;
		if (eol > line && *line != '#' && *line != '\r' && *line != '\n')
			*more = true;
	}
	*id = id_line;
	return n;
}

/**
 * tls_psk_load() - the key of a psk argument
 * @op: "target add", for messages
 * @val: FILE, or key:SERIAL for a key that exists
 * @serial: set to the key's serial
 *
 * The first key of FILE goes into the key "klogfwd-psk:PATH;IDENTITY" of
 * the user keyring, PATH its absolute path; the copies read are wiped.
 *
 * Return: 0, or KF_EXIT_ERROR after a message.
 */
int tls_psk_load(const char *op, const char *val, uint32_t *serial)
{
	char desc[sizeof(PSK_DESC_PREFIX) + PATH_MAX + PSK_IDENTITY_MAX + 2];
	static char buf[4096 + 1];
	unsigned char key[PSK_MAX];
	const char *why = NULL, *id = NULL;
	char path[PATH_MAX];
	ssize_t len, klen;
	bool more = false;
	int ret;

	ret = tls_key_serial(val, serial);
	if (ret <= 0)
		return ret ? KF_EXIT_ERROR : 0;
	len = tls_file_read(op, "psk", val, path, buf, sizeof(buf));
	if (len < 0)
		return KF_EXIT_ERROR;
	if (strchr(path, ';')) {
		errmsg("%s: psk %s: a path with ';', which ends the file's name in the key's description",
		       op, val);
		explicit_bzero(buf, sizeof(buf));
		return KF_EXIT_ERROR;
	}
	klen = tls_psk_parse(buf, len, &id, key, &more, &why);
	if (klen < 0) {
		errmsg("%s: psk %s: %s", op, val, why);
		explicit_bzero(buf, sizeof(buf));
		explicit_bzero(key, sizeof(key));
		return KF_EXIT_ERROR;
	}
	if (more)
		errmsg("%s: psk %s: more than one key in the file: the first, \"%s\", is used", op,
		       val, id);
	snprintf(desc, sizeof(desc), PSK_DESC_PREFIX "%s;%.128s", path, id);
	ret = tls_key_add(op, "psk", val, desc, key, klen, serial);
	explicit_bzero(buf, sizeof(buf));
	explicit_bzero(key, sizeof(key));
	return ret;
}

/**
 * tls_key_name() - what a cert or key argument was, from its key
 * @serial: the key's serial, from a reply
 * @buf: where to write FILE, or key:SERIAL for a key not made by
 *	 tls_key_load() or tls_psk_load() (or that cannot be described)
 * @size: its size
 *
 * Return: @buf.
 */
const char *tls_key_name(uint32_t serial, char *buf, size_t size)
{
	char desc[sizeof(PSK_DESC_PREFIX) + PATH_MAX + PSK_IDENTITY_MAX + 64];
	char *name, *semi;
	long n;
	int i;

	/* "user;UID;GID;PERM;DESCRIPTION" */
	n = syscall(SYS_keyctl, KEYCTL_DESCRIBE, (long)serial, desc, sizeof(desc) - 1);
	if (n > 0 && (size_t)n < sizeof(desc) && !strncmp(desc, "user;", 5)) {
		desc[n] = '\0';
		name = desc;
		for (i = 0; i < 4 && name; i++) {
			name = strchr(name, ';');
			if (name)
				name++;
		}
		if (name && !strncmp(name, KEY_DESC_PREFIX "/", sizeof(KEY_DESC_PREFIX))) {
			snprintf(buf, size, "%s", name + strlen(KEY_DESC_PREFIX));
			return buf;
		}
		/* "klogfwd-psk:PATH;IDENTITY" */
		semi = name ? strrchr(name, ';') : NULL;
		if (semi && !strncmp(name, PSK_DESC_PREFIX "/", sizeof(PSK_DESC_PREFIX))) {
			*semi = '\0';
			snprintf(buf, size, "%s", name + strlen(PSK_DESC_PREFIX));
			return buf;
		}
	}
	snprintf(buf, size, "key:%" PRIu32, serial);
	return buf;
}
