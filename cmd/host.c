/*
 * The process and its host: HOME, OpenSSL's start, the static build's
 * name service (cmd/host.h).
 */
#include <stdio.h>
#include <stdlib.h>

#ifdef CHAMELEON_STATIC
#include <nss.h>
#endif

#include "cmd/host.h"
#include "mysqlproto/mysqlproto.h"

static const char *home;
static int inited;

int host_init(void)
{
	const char *h = getenv("HOME");
	home = h && *h ? h : NULL;
	inited = 1;
	/* libpq looks the user up (getpwuid) for ~/.pgpass and
	 * ~/.postgresql/ when HOME is unset: in a static binary that lookup
	 * can load an NSS module and crash.  A home that does not exist
	 * means those files are absent, which libpq handles. */
	if (!home && setenv("HOME", "/nonexistent", 1) != 0) {
		fprintf(stderr, "chameleon: cannot set HOME\n");
		return -1;
	}
#ifdef CHAMELEON_STATIC
	/* the built-in back ends only; reading nsswitch.conf stops too */
	__nss_configure_lookup("hosts", "files dns");
	__nss_configure_lookup("passwd", "files");
	__nss_configure_lookup("group", "files");
#endif
	if (mp_library_init()) {
		fprintf(stderr, "chameleon: OpenSSL failed to initialise\n");
		return -1;
	}
	return 0;
}

const char *host_home(void)
{
	if (!inited) {	/* the unit tests have no main() */
		const char *h = getenv("HOME");
		return h && *h ? h : NULL;
	}
	return home;
}
