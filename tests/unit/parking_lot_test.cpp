// ParkingLot: wake on a later position, never on an earlier one; a publication that came before
// the park is not missed; time-outs; the capacity; shutdown wakes everyone once.
#include "server/transport/parking_lot.h"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <vector>

namespace omni {
namespace {

// Runs what is ready; restart() because an io_context that ran out of work stays stopped.
void Turn(boost::asio::io_context& io) {
  io.restart();
  io.poll();
}

struct Woken {
  std::vector<std::pair<int, WakeReason>> log;
  std::function<void(WakeReason)> Cb(int id) {
    return [this, id](WakeReason r) { log.emplace_back(id, r); };
  }
};

TEST_CASE("parked requests wake for later positions on their channel only") {
  boost::asio::io_context io;
  ParkingLot lot(io, 10);
  Woken w;
  CHECK(lot.Park("changes:A", 5, std::chrono::seconds(30), w.Cb(1)));
  CHECK(lot.Park("changes:A", 7, std::chrono::seconds(30), w.Cb(2)));
  CHECK(lot.Park("changes:B", 0, std::chrono::seconds(30), w.Cb(3)));
  CHECK(lot.parked() == 3);
  lot.Publish("changes:A", 5);  // not after 5: nobody
  Turn(io);
  CHECK(w.log.empty());
  lot.Publish("changes:A", 6);
  Turn(io);
  REQUIRE(w.log.size() == 1);
  CHECK(w.log[0] == std::make_pair(1, WakeReason::kPublished));
  CHECK(lot.parked() == 2);
  lot.WakeAll(WakeReason::kShutdown);
  CHECK(w.log.size() == 3);
  CHECK(lot.parked() == 0);
  Turn(io);  // cancelled timers fire nothing more
  CHECK(w.log.size() == 3);
}

TEST_CASE("a publication before the park wakes it at once") {
  boost::asio::io_context io;
  ParkingLot lot(io, 10);
  Woken w;
  lot.Publish("c", 9);
  Turn(io);
  CHECK(lot.Park("c", 8, std::chrono::seconds(30), w.Cb(1)));
  CHECK(w.log.empty());  // never inside Park
  Turn(io);
  REQUIRE(w.log.size() == 1);
  CHECK(w.log[0].second == WakeReason::kPublished);
  CHECK(lot.Park("c", 9, std::chrono::seconds(30), w.Cb(2)));  // seen it already: waits
  Turn(io);
  CHECK(w.log.size() == 1);
  lot.WakeAll(WakeReason::kShutdown);
}

TEST_CASE("a forgotten channel no longer remembers its publications") {
  boost::asio::io_context io;
  ParkingLot lot(io, 10);
  Woken w;
  lot.Publish("bayeux:gone", 3);
  lot.Forget("bayeux:gone");
  CHECK(lot.Park("bayeux:gone", 0, std::chrono::seconds(30), w.Cb(1)));
  Turn(io);
  CHECK(w.log.empty());  // position 3 is forgotten: the waiter waits
  lot.Publish("bayeux:gone", 1);
  Turn(io);
  CHECK(w.log.size() == 1);
}

TEST_CASE("time-outs and capacity") {
  boost::asio::io_context io;
  ParkingLot lot(io, 2);
  Woken w;
  CHECK(lot.Park("c", 0, std::chrono::milliseconds(10), w.Cb(1)));
  CHECK(lot.Park("c", 0, std::chrono::seconds(30), w.Cb(2)));
  CHECK(lot.Park("c", 0, std::chrono::seconds(30), w.Cb(3)) == 0);  // full
  io.restart();
  io.run_for(std::chrono::milliseconds(200));
  REQUIRE(w.log.size() == 1);
  CHECK(w.log[0] == std::make_pair(1, WakeReason::kTimedOut));
  CHECK(lot.Park("c", 0, std::chrono::seconds(30), w.Cb(4)));  // room again
  lot.Publish("c", 1);
  Turn(io);
  CHECK(w.log.size() == 3);
}

}  // namespace
}  // namespace omni

namespace omni {
namespace {
TEST_CASE("a cancelled waiter is never woken and frees its place") {
  boost::asio::io_context io;
  ParkingLot lot(io, 1);
  Woken w;
  auto ticket = lot.Park("c", 0, std::chrono::milliseconds(20), w.Cb(1));
  CHECK(ticket != 0);
  lot.Cancel(ticket);
  CHECK(lot.parked() == 0);
  CHECK(lot.Park("c", 0, std::chrono::seconds(30), w.Cb(2)) != 0);
  io.restart();
  io.run_for(std::chrono::milliseconds(100));
  lot.Publish("c", 1);
  Turn(io);
  REQUIRE(w.log.size() == 1);
  CHECK(w.log[0].first == 2);
  lot.Cancel(ticket);  // long gone: nothing happens
}
}  // namespace
}  // namespace omni
