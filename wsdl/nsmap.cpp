// The namespace table of doelpoort's gSOAP bindings; exactly one definition per program.
#include "soapH.h"
#include "Doelpoort.nsmap"
