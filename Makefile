# The two commands of README.md:
#   make demo   the gateway with the simulated registries and a few sample inquiries
#   make test   build and run every test
# Both install what they need (Debian 12 packages) first.
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: demo test deps build clean

deps:
	@tools/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

demo: build
	@tools/demo.sh $(BUILD)

clean:
	rm -rf $(BUILD) demo-data
