// gSOAP interface definition of doelpoort's own SOAP service (soapcpp2 input).
//
// The published contract is doelpoort.wsdl next to this file; this header generates the C++ bindings
// for the same messages. soapcpp2's own WSDL output is not published: it imports the WS-Addressing
// schema from the network and writes the response action as soapAction. Keep both files in step;
// tests/interop drives the server with a client generated from doelpoort.wsdl (python3-zeep).
//
// SOAP 1.1, document/literal, Digikoppeling WUS style: WS-Addressing headers, no custom header blocks;
// the purpose context (activity, case, user, reason, break-glass) travels in the body.

//gsoap dp service name:       Doelpoort
//gsoap dp service namespace:  urn:nl:doelpoort:inquiry:v1
//gsoap dp schema namespace:   urn:nl:doelpoort:inquiry:v1
//gsoap dp service location:   https://localhost:8443/
//gsoap dp service style:      document
//gsoap dp service encoding:   literal
//gsoap dp schema elementForm: qualified

#import "wsa5.h"
#import "stlvector.h"

/// One returned field: its canonical name (from mappings/) and value. A field that occurs several times
/// in the registry's answer (e.g. the names of children) is returned as several records with one name.
class dp__Field {
 public:
  @std::string name;
  std::string value;
};

class dp__InquireResponse {
 public:
  std::string inquiryId;        ///< the audit record's inquiry id: quote it when asking about this inquiry
  std::string activity;         ///< processing activity that permitted the inquiry
  std::string activityVersion;  ///< its version in the register
  std::string legalBasis;       ///< the legal basis (grondslag) used
  std::string status;           ///< FOUND or NOT_FOUND
  std::vector<dp__Field> field 0;
};

/// A subject named without a BSN, where the activity allows that search key: geslachtsnaam +
/// geboortedatum (yyyymmdd), postcode + huisnummer, or kenteken.
class dp__Search {
 public:
  std::string *geslachtsnaam;
  std::string *geboortedatum;
  std::string *postcode;
  std::string *huisnummer;
  std::string *kenteken;
};

/// Fault detail: a stable machine-readable code (e.g. FIELD_NOT_PERMITTED) and the inquiry id.
class _dp__InquiryFault {
 public:
  std::string code;
  std::string inquiryId;
  std::string message;
};

struct SOAP_ENV__Detail {
  _dp__InquiryFault *dp__InquiryFault;
  int __type;
  void *fault;
  _XML __any;
};

//gsoap dp service method-input-action: Inquire "urn:nl:doelpoort:inquiry:v1/Inquire"
//gsoap dp service method-output-action: Inquire "urn:nl:doelpoort:inquiry:v1/InquireResponse"
//gsoap dp service method-fault: Inquire _dp__InquiryFault
int dp__Inquire(
    std::string activity,              ///< processing activity id from the register
    std::string *caseReference,        ///< case (zaak) reference the inquiry serves
    std::string userId,                ///< the case worker on whose behalf the application asks
    std::string *subjectBsn,           ///< the data subject's BSN
    dp__Search *search,                ///< or: a search by other keys
    std::string source,                ///< source service, e.g. BRPDossierPersoon
    std::vector<std::string> field 1,  ///< requested fields (canonical names from mappings/)
    std::string *reason,               ///< free-text reason; required for break-glass
    bool *breakGlass,                  ///< emergency access, only where the activity allows it
    dp__InquireResponse &response);
