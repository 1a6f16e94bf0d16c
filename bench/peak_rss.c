/*
 * peak_rss OUT COMMAND [ARG...]: runs COMMAND and writes the CPU seconds it used (user and system) and then
 * its peak resident set size in KiB to OUT, as `/usr/bin/time -f '%U %S\n%M' -o OUT` does, for machines
 * without GNU time. Exits with COMMAND's status.
 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: peak_rss OUT COMMAND [ARG...]\n");
		return 2;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("peak_rss: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("peak_rss: wait");
		return 2;
	}
	FILE *out = fopen(argv[1], "w");
	double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	             (double)ru.ru_stime.tv_usec / 1e6;
	if (!out || fprintf(out, "%.3f\n%ld\n", cpu, ru.ru_maxrss) < 0 || fclose(out) != 0) {
		perror(argv[1]);
		return 2;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
