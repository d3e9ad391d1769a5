#include "name_tables.h"

#include <array>

namespace doelpoort::sim {
namespace {

constexpr std::array<std::string_view, 32> kMale{
    "Jan",    "Pieter", "Johannes", "Cornelis", "Hendrik", "Willem", "Gerrit",  "Daan",
    "Sem",    "Lucas",  "Bram",     "Thijs",    "Ruben",   "Daniël", "Mohamed", "Youssef",
    "Mehmet", "Kevin",  "Dennis",   "Martijn",  "Sander",  "Joost",  "Erik",    "Bas",
    "Tim",    "Niels",  "Stefan",   "Jeroen",   "Maarten", "Ahmet",  "Rik",     "Floris"};

constexpr std::array<std::string_view, 32> kFemale{
    "Maria",  "Anna",   "Johanna", "Cornelia", "Elisabeth", "Wilhelmina", "Emma",  "Julia",
    "Sophie", "Zoë",    "Tess",    "Sanne",    "Lotte",     "Fleur",      "Noa",   "Fatima",
    "Aylin",  "Chloë",  "Inge",    "Marieke",  "Esther",    "Linda",      "Petra", "Anouk",
    "Iris",   "Femke",  "Naima",   "Saskia",   "Lieke",     "Renée",      "Eva",   "Yara"};

constexpr std::array<Surname, 40> kSurnames{{
    {"de", "Jong"},   {"", "Jansen"},     {"de", "Vries"},      {"van den", "Berg"}, {"van", "Dijk"},
    {"", "Bakker"},   {"", "Janssen"},    {"", "Visser"},       {"", "Smit"},        {"", "Meijer"},
    {"de", "Boer"},   {"", "Mulder"},     {"de", "Groot"},      {"", "Bos"},         {"", "Vos"},
    {"", "Peters"},   {"", "Hendriks"},   {"van", "Leeuwen"},   {"", "Dekker"},      {"", "Brouwer"},
    {"de", "Wit"},    {"", "Dijkstra"},   {"", "Smits"},        {"de", "Graaf"},     {"van der", "Meer"},
    {"van der", "Linden"}, {"", "Kok"},   {"", "Jacobs"},       {"de", "Haan"},      {"", "Vermeulen"},
    {"van den", "Heuvel"}, {"van der", "Veen"}, {"van den", "Broek"}, {"de", "Bruijn"}, {"", "Yılmaz"},
    {"", "El Amrani"}, {"", "Öztürk"},    {"", "Nguyen"},       {"", "Schouten"},    {"van", "Beek"},
}};

constexpr std::array<std::string_view, 24> kStreets{
    "Kerkstraat",   "Schoolstraat", "Molenweg",       "Dorpsstraat", "Stationsweg", "Beatrixlaan",
    "Julianastraat", "Wilhelminaweg", "Eikenlaan",    "Beukenlaan",  "Lindelaan",   "Parallelweg",
    "Nieuwstraat",  "Industrieweg", "Prins Bernhardlaan", "Sportlaan", "Marktplein", "Havenkade",
    "Tulpstraat",   "Rozenstraat",  "Vondelstraat",   "Zonnebloemweg", "Grachtzijde", "Oranjestraat"};

constexpr std::array<Town, 16> kTowns{{
    {"Amsterdam", "0363", 1011, 1109}, {"Rotterdam", "0599", 3011, 3089},
    {"'s-Gravenhage", "0518", 2491, 2599}, {"Utrecht", "0344", 3511, 3585},
    {"Eindhoven", "0772", 5611, 5658}, {"Groningen", "0014", 9711, 9747},
    {"Tilburg", "0855", 5011, 5049},   {"Almere", "0034", 1311, 1363},
    {"Breda", "0758", 4811, 4841},     {"Nijmegen", "0268", 6511, 6546},
    {"Haarlem", "0392", 2011, 2037},   {"Arnhem", "0202", 6811, 6846},
    {"Zwolle", "0193", 8011, 8043},    {"Leiden", "0546", 2311, 2334},
    {"Maastricht", "0935", 6211, 6229}, {"Enschede", "0153", 7511, 7548},
}};

constexpr std::array<Nationality, 6> kForeign{{
    {"0052", "5010", "Antwerpen"}, {"0055", "6029", "Keulen"},      {"0100", "5022", "Casablanca"},
    {"0263", "6043", "Ankara"},    {"0083", "6048", "Krakau"},      {"0206", "5029", "Paramaribo"},
}};

constexpr std::array<std::string_view, 16> kEmployers{
    "Bouwbedrijf Van Dam B.V.",        "Zorggroep De Linde",
    "Schoonmaakbedrijf Glans B.V.",    "Transportonderneming Kuipers B.V.",
    "Supermarkt De Buurtwinkel B.V.",  "Uitzendbureau Flexwerk B.V.",
    "Thuiszorg Midden",                "Horecagroep Het Plein B.V.",
    "Installatietechniek Noord B.V.",  "Logistiek Centrum Waalhaven B.V.",
    "ICT Diensten Lageweg B.V.",       "Stichting Basisonderwijs De Regenboog",
    "Bakkerij Korenschoof",            "Kinderopvang Het Speelkwartier B.V.",
    "Metaalbewerking Oost B.V.",       "Callcenter Klantlijn B.V."};

constexpr std::array<CarModel, 12> kCars{{
    {"VOLKSWAGEN", "GOLF"}, {"TOYOTA", "YARIS"},  {"KIA", "PICANTO"},   {"PEUGEOT", "208"},
    {"RENAULT", "CLIO"},    {"OPEL", "CORSA"},    {"FORD", "FOCUS"},    {"HYUNDAI", "I20"},
    {"SKODA", "OCTAVIA"},   {"VOLVO", "V60"},     {"TESLA", "MODEL 3"}, {"FIAT", "500"},
}};

constexpr std::array<std::string_view, 8> kColours{"GRIJS", "ZWART", "WIT", "BLAUW",
                                                   "ROOD",  "GROEN", "BRUIN", "GEEL"};

}  // namespace

std::span<const std::string_view> male_first_names() { return kMale; }
std::span<const std::string_view> female_first_names() { return kFemale; }
std::span<const Surname> surnames() { return kSurnames; }
std::span<const std::string_view> street_names() { return kStreets; }
std::span<const Town> towns() { return kTowns; }
std::span<const Nationality> foreign_nationalities() { return kForeign; }
std::span<const std::string_view> employer_names() { return kEmployers; }
std::span<const CarModel> car_models() { return kCars; }
std::span<const std::string_view> car_colours() { return kColours; }

}  // namespace doelpoort::sim
