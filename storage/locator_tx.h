// LocatorTx: queryMore continuations of a transaction (storage/store.h), kept in the database
// (omni_query_locators) so that several server processes share them.
//
// Thread-safety: belongs to its Tx, which belongs to one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace omni::storage {

// A queryMore continuation: the query, where its next page starts and its total size.
struct QueryLocatorRow {
  std::string locator, org_id, soql;
  bool include_deleted = false;
  std::int64_t next_offset = 0;
  std::int64_t total = 0;
};

class LocatorTx {
 public:
  virtual ~LocatorTx() = default;
  // Inserts or updates one (marking it used now).
  virtual void SaveQueryLocator(const QueryLocatorRow& row) = 0;
  // One of this org unused for less than max_idle_seconds (expired ones are removed).
  virtual std::optional<QueryLocatorRow> FindQueryLocator(const std::string& locator,
                                                          const std::string& org,
                                                          int max_idle_seconds) = 0;
  virtual void DeleteQueryLocator(const std::string& locator) = 0;
};

}  // namespace omni::storage
