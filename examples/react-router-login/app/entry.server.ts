export { default, streamTimeout } from "../../shared/react-router-entry-server.js";
