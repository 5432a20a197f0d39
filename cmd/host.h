/*
 * What the process takes from the host it runs on, settled once at start
 * so that the static binary needs nothing but its configuration and its
 * environment (docs/deploy.md):
 *   - the home directory is $HOME, never the password database: without
 *     HOME, paths under '~' are errors naming the key, and libpq is told
 *     HOME=/nonexistent so that it does not look the user up either;
 *   - OpenSSL starts without reading any configuration file;
 *   - the static build resolves host names with glibc's built-in "files"
 *     and "dns" back ends only, whatever /etc/nsswitch.conf says (a static
 *     process cannot safely load NSS modules).
 * No locale is ever set: the C locale needs no file.
 */
#ifndef CMD_HOST_H
#define CMD_HOST_H

/* Before anything else in main(); -1 (said on stderr) when OpenSSL fails. */
int host_init(void);

/* HOME as the process found it, or NULL when unset or empty. */
const char *host_home(void);

#endif
