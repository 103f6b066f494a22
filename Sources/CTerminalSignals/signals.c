#include "tower_signals.h"

#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

/* One definition in one translation unit: the handler and the reader share it. */
static volatile sig_atomic_t pending_signal = 0;

static void record_signal(int sig) { pending_signal = sig; }

void tower_signals_install(void) {
    /* A parent may hand us a blocked mask (test runners and some supervisors do): unblock what the board
       depends on, or a hang-up or a resize would never arrive. */
    sigset_t wanted;
    sigemptyset(&wanted);
    sigaddset(&wanted, SIGTERM);
    sigaddset(&wanted, SIGHUP);
    sigaddset(&wanted, SIGINT);
    sigaddset(&wanted, SIGWINCH);
    sigaddset(&wanted, SIGCONT);
    sigaddset(&wanted, SIGTSTP);
    sigprocmask(SIG_UNBLOCK, &wanted, 0);

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = record_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, 0);
    sigaction(SIGHUP, &action, 0);
    sigaction(SIGINT, &action, 0);
}

int tower_signals_take(void) {
    int sig = pending_signal;
    pending_signal = 0;
    return sig;
}

int tower_signals_peek(void) { return pending_signal; }

int tower_terminal_hung_up(int fd) {
    struct pollfd descriptor = { .fd = fd, .events = POLLIN, .revents = 0 };
    if (poll(&descriptor, 1, 0) < 0) return 0;
    return (descriptor.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0;
}
