// What a request to a simulated registry asks for, once read from its SOAP body.
#pragma once

#include <optional>
#include <string>

#include "date.h"

namespace doelpoort::sim {

struct Inquiry {
  std::string bsn;                  ///< Burgerservicenr, already checked against the 11-proef
  std::optional<Date> period_begin;  ///< UWV PeriodeGegevensvraagIko/DatBPeriode
  std::optional<Date> period_end;    ///< UWV PeriodeGegevensvraagIko/DatEPeriode
};

}  // namespace doelpoort::sim
