# The two commands of README.md:
#   make demo   the gateway with the simulated registries and a few sample inquiries
#   make test   build and run every test
# Both install what they need (Debian 12 packages) first.
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: demo test test-sanitize deps build clean

deps:
	@tools/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The whole suite again, built with AddressSanitizer and UndefinedBehaviorSanitizer (CI runs both).
# -O0 -g1 (line tables for the reports): about half the build time of -O1 -g on two cores.
test-sanitize: deps
	@cmake -S . -B $(BUILD)-sanitize -DCMAKE_BUILD_TYPE=Debug -DDOELPOORT_SANITIZE=ON -DDOELPOORT_BENCHMARKS=OFF \
	  -DCMAKE_C_FLAGS_DEBUG="-g1" -DCMAKE_CXX_FLAGS_DEBUG="-g1" >/dev/null
	@cmake --build $(BUILD)-sanitize -j $(JOBS)
	cd $(BUILD)-sanitize && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)

demo: build
	@tools/demo.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD)-sanitize demo-data
