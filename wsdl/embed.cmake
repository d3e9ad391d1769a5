# cmake -DIN=file -DOUT=file.cpp -DSYMBOL=name -P embed.cmake: a file as a C++ string constant.
file(READ ${IN} text)
file(WRITE ${OUT} "// generated from ${IN}\n#include <string_view>\nnamespace doelpoort {\nextern const std::string_view ${SYMBOL};\nconst std::string_view ${SYMBOL} = R\"__wsdl__(${text})__wsdl__\";\n}\n")
